import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { updateReturning } from '../../core/db/update-returning';
import { InputError, NotFoundError } from '../../core/errors';
import type { AnalyticsService } from '../analytics/analytics.service';
import type { Viewer } from '../../core/graphql/viewer';
import { Campaign, CampaignStatus } from '../campaigns/campaign.entity';
import { LeadEvent } from '../leads/lead-event.entity';
import type { WebhookQueue } from './webhook-ingest.service';
import { MAX_PROCESSING_ATTEMPTS } from './webhook-processor.service';
import type { AbandonedWebhookEvent, WebhookIngestStats, WebhookStatus, WebhookStatusArgs } from './webhook.types';

const DAY_MS = 86_400_000;
const MAX_RETRY_IDS = 1_000;
/** The Unipile account ids of a workspace's senders (webhook events name accounts, not workspaces). */
const WORKSPACE_ACCOUNTS = `SELECT coalesce(array_agg(unipile_account_id), '{}') AS ids FROM linkedin_account WHERE workspace_id = $1`;

/** The seed's `/api/webhooks/status` snapshot: a campaign's totals (from analytics) and its latest events. */
export class WebhookStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analytics: AnalyticsService,
    private readonly clock: Clock,
    private readonly queue: WebhookQueue,
  ) {}

  async status(viewer: Viewer, args: WebhookStatusArgs): Promise<WebhookStatus> {
    const campaign = await this.campaign(viewer, args);
    const [summary, recentEvents, webhooks] = await Promise.all([
      this.analytics.campaignSummary(viewer, { campaignId: campaign.id, replyWindowDays: 7 }),
      // Newest first by id: the primary key index, read backwards.
      this.dataSource.getRepository(LeadEvent).find({ where: { campaignId: campaign.id }, order: { id: 'DESC' }, take: 10 }),
      this.ingestStats(viewer.workspaceId),
    ]);
    return { campaign: summary, recentEvents, webhooks };
  }

  /** By id, else by name (ignoring case), else the most recently created active campaign. */
  private async campaign(viewer: Viewer, args: WebhookStatusArgs): Promise<Campaign> {
    const repo = this.dataSource.getRepository(Campaign);
    if (args.campaignId) {
      const byId = await repo.findOne({ where: { id: args.campaignId, workspaceId: viewer.workspaceId } });
      if (!byId) throw new NotFoundError('Campaign', args.campaignId);
      return byId;
    }
    const qb = repo.createQueryBuilder('c').where('c.workspace_id = :ws', { ws: viewer.workspaceId });
    const found = args.campaignName
      ? await qb.andWhere('lower(c.name) = lower(:name)', { name: args.campaignName }).getOne()
      : await qb.andWhere('c.status = :active', { active: CampaignStatus.ACTIVE }).orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').getOne();
    if (!found) throw new NotFoundError(args.campaignName ? `Campaign named "${args.campaignName}"` : 'Active campaign');
    return found;
  }

  private async ingestStats(workspaceId: string): Promise<WebhookIngestStats> {
    // Each count uses an index: (unipile_account_id, received_at), and the partial one on unprocessed events.
    const [[row], abandonedEvents] = await Promise.all([
      this.dataSource.query(
        `WITH accounts AS (${WORKSPACE_ACCOUNTS})
         SELECT (SELECT max(e.received_at) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids)) AS last,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.received_at >= $2)::int AS recent,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL)::int AS unprocessed,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $3)::int AS abandoned
         FROM accounts`,
        [workspaceId, new Date(this.clock.now().getTime() - DAY_MS), MAX_PROCESSING_ATTEMPTS],
      ) as Promise<Array<{ last: Date | null; recent: number; unprocessed: number; abandoned: number }>>,
      this.dataSource.query(
        `WITH accounts AS (${WORKSPACE_ACCOUNTS})
         SELECT e.id::text AS id, e.source, e.event, e.attempts, e.last_error AS "lastError", e.received_at AS "receivedAt"
         FROM webhook_event e, accounts
         WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $2
         ORDER BY e.received_at DESC LIMIT 20`,
        [workspaceId, MAX_PROCESSING_ATTEMPTS],
      ) as Promise<AbandonedWebhookEvent[]>,
    ]);
    return {
      lastReceivedAt: row?.last ?? null,
      receivedLast24h: row?.recent ?? 0,
      unprocessed: row?.unprocessed ?? 0,
      abandoned: row?.abandoned ?? 0,
      abandonedEvents,
    };
  }

  /**
   * Gives abandoned events of the workspace's accounts (all of them, or those named) a fresh set of
   * attempts and hands them to processing. Returns the ids taken.
   */
  async retryAbandoned(viewer: Viewer, ids: string[] | null | undefined): Promise<string[]> {
    if (ids && (ids.length > MAX_RETRY_IDS || ids.some((id) => !/^[1-9]\d{0,17}$/.test(id)))) {
      throw new InputError(`ids must be at most ${MAX_RETRY_IDS} webhook event ids`, { field: 'ids' });
    }
    const rows = await updateReturning<{ id: string }>(
      this.dataSource.manager,
      `WITH accounts AS (${WORKSPACE_ACCOUNTS})
       UPDATE webhook_event e SET attempts = 0
       FROM accounts
       WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $2
         AND ($3::bigint[] IS NULL OR e.id = ANY($3::bigint[]))
       RETURNING e.id::text AS id`,
      [viewer.workspaceId, MAX_PROCESSING_ATTEMPTS, ids ?? null],
    );
    const taken = rows.map((r) => r.id);
    for (const id of taken) await this.queue.enqueue(id);
    return taken;
  }
}
