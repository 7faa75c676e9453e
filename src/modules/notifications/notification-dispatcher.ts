import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { linkedInProfileUrl, type NotificationContent } from './notification-content';
import type { Names, NewDelivery, NotificationDispatchRepository } from './notification-dispatch.repository';
import { advanceCursor, type LiveEventRow, notificationTypeOf } from './notification-events';
import { NotificationChannelKind, NotificationEventType } from './notification-kinds';
import { kindEnabled, type NotifierSettings } from './notifier-settings';

const BATCH = 500;
const MAX_BATCHES_PER_RUN = 20;
/** How long a missing live event id is waited for before it is taken as rolled back. */
export const GAP_WAIT_MS = 30_000;
/** A due delivery that no job picked up within this long is queued again. */
const STRANDED_AFTER_MS = 120_000;

/** Queues a delivery job (Agenda in the app; tests may drive deliveries themselves). */
export type DeliveryQueue = { enqueue(deliveryId: string): Promise<void> };

type Dispatched = { events: number; deliveries: number; requeued: number };

/**
 * Turns committed live events into deliveries: reads live_event after a persisted cursor (locked,
 * so one dispatcher works at a time across processes), matches the routing rules, inserts one
 * delivery per (event, channel) — unique, so re-reads never notify twice — and queues a job for
 * each new one after commit. It never sends anything itself.
 */
export class NotificationDispatcher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: NotificationDispatchRepository,
    private readonly clock: Clock,
    private readonly settings: NotifierSettings,
    private readonly queue: DeliveryQueue,
    private readonly log: Logger,
  ) {}

  async dispatch(): Promise<Dispatched> {
    const total: Dispatched = { events: 0, deliveries: 0, requeued: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const step = await this.dataSource.transaction(async (em) => {
        const repo = this.repo.withManager(em);
        const cursor = await repo.lockCursor();
        if (!cursor) return undefined;
        const events = await repo.readEvents(cursor.last, BATCH);
        const now = this.clock.now();
        const created = await repo.insertDeliveries(await this.deliveriesFor(repo, events), now);
        const next = advanceCursor(cursor, events.map((e) => BigInt(e.id)), now, GAP_WAIT_MS);
        await repo.saveCursor(next);
        return { events: events.length, created, more: events.length === BATCH && next.last > cursor.last };
      });
      if (!step) break;
      total.events += step.events;
      total.deliveries += step.created.length;
      for (const id of step.created) await this.queue.enqueue(id);
      if (!step.more) break;
    }
    total.requeued = await this.requeueStranded();
    if (total.deliveries > 0 || total.requeued > 0) this.log.info({ ...total }, 'notifications dispatched');
    return total;
  }

  private async requeueStranded(): Promise<number> {
    const ids = await this.repo.findStranded(this.clock.now(), STRANDED_AFTER_MS, 100);
    for (const id of ids) await this.queue.enqueue(id);
    return ids.length;
  }

  private async deliveriesFor(repo: NotificationDispatchRepository, events: LiveEventRow[]): Promise<NewDelivery[]> {
    const typed = events.flatMap((event) => {
      const type = notificationTypeOf(event);
      return type ? [{ event, type }] : [];
    });
    if (typed.length === 0) return [];
    const kinds = Object.values(NotificationChannelKind).filter((k) => kindEnabled(this.settings, k));
    if (kinds.length === 0) return [];
    const routes = await repo.findRoutes([...new Set(typed.map((t) => t.event.workspace_id))], [...new Set(typed.map((t) => t.type))], kinds);
    const matched = typed.flatMap(({ event, type }) => {
      const channels = new Map<string, NotificationChannelKind>();
      for (const r of routes) {
        if (r.workspaceId === event.workspace_id && r.eventType === type && (r.campaignId === null || r.campaignId === event.campaign_id)) {
          channels.set(r.channelId, r.kind);
        }
      }
      return channels.size > 0 ? [{ event, type, channels }] : [];
    });
    if (matched.length === 0) return [];
    const names = await repo.loadNames({
      leads: strings(matched.map((m) => m.event.payload.leadId)),
      campaigns: strings(matched.map((m) => m.event.campaign_id)),
      accounts: strings(matched.map((m) => m.event.account_id)),
    });
    return matched.flatMap(({ event, type, channels }) => {
      const content = this.contentOf(event, type, names);
      return [...channels].map(([channelId, channelKind]) => ({
        workspaceId: event.workspace_id,
        liveEventId: event.id,
        channelId,
        channelKind,
        eventType: type,
        campaignId: event.campaign_id,
        content,
        attemptLimit: this.settings.maxAttempts,
      }));
    });
  }

  private contentOf(event: LiveEventRow, type: NotificationEventType, names: Names): NotificationContent {
    const p = event.payload;
    const leadId = typeof p.leadId === 'string' ? p.leadId : null;
    const lead = leadId ? names.leads.get(leadId) : undefined;
    const leadName = lead ? [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.publicIdentifier || lead.providerId || 'Unnamed lead' : null;
    const apiLink = this.settings.publicUrl ? `${this.settings.publicUrl}/graphql` : null;
    const profileUrl = lead ? linkedInProfileUrl(lead.publicIdentifier, lead.providerId) : null;
    return {
      eventId: event.id,
      type,
      occurredAt: str(p.occurredAt) ?? str(p.at) ?? new Date(event.created_at).toISOString(),
      workspaceId: event.workspace_id,
      campaign: event.campaign_id ? { id: event.campaign_id, name: names.campaigns.get(event.campaign_id) ?? 'Unknown campaign' } : null,
      lead: leadId && lead ? { id: leadId, name: leadName!, company: lead.company, profileUrl } : null,
      account: event.account_id ? { id: event.account_id, name: names.accounts.get(event.account_id) ?? 'Unknown account' } : null,
      reply: type === NotificationEventType.REPLY_RECEIVED ? { text: str(p.text), source: str(p.source) ?? 'unknown' } : null,
      accountStatus: type === NotificationEventType.ACCOUNT_DISCONNECTED ? { status: str(p.status) ?? 'DISCONNECTED', reason: str(p.statusReason) } : null,
      cap: type === NotificationEventType.CAP_REACHED ? { kind: str(p.kind) ?? 'invite', day: str(p.day) ?? '', cap: Number(p.cap ?? 0) } : null,
      link: type === NotificationEventType.REPLY_RECEIVED ? (profileUrl ?? apiLink) : apiLink,
    };
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (values: unknown[]): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string'))];
