import { isUUID } from 'class-validator';
import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { decodeCursor, type Page, toPage } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import type { DeliveryQueue } from './notification-dispatcher';
import type { NotificationDelivery } from './notification-delivery.entity';
import type { NotificationDeliveryRepository } from './notification-delivery.repository';
import { NotificationError } from './notification.errors';
import type { NotificationDeliveriesArgs, NotificationDeliveryView } from './notification.types';
import type { NotifierSettings } from './notifier-settings';

/** The delivery log (newest first) and replays. */
export class NotificationLogService {
  constructor(
    private readonly deliveries: NotificationDeliveryRepository,
    private readonly clock: Clock,
    private readonly settings: NotifierSettings,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(viewer: Viewer, args: NotificationDeliveriesArgs): Promise<Page<NotificationDeliveryView>> {
    if (args.channelId && !isUUID(args.channelId)) return toPage([], args.first);
    const filter = { status: args.status, channelId: args.channelId, eventType: args.eventType, before: args.after ? decodeCursor(args.after) : undefined };
    const page = toPage(await this.deliveries.list(viewer.workspaceId, filter, args.first + 1), args.first);
    return { nodes: await this.withAttempts(page.nodes), pageInfo: page.pageInfo };
  }

  async get(viewer: Viewer, id: string): Promise<NotificationDeliveryView> {
    const [view] = await this.withAttempts([await this.find(viewer, id)]);
    return view;
  }

  /**
   * Sends a delivery again, whatever its state (except while it is being sent), with a fresh set
   * of attempts. The content and the event id stay the same, so receivers can tell a replay.
   */
  async replay(viewer: Viewer, id: string): Promise<NotificationDeliveryView> {
    await this.find(viewer, id);
    const now = this.clock.now();
    const reopened = await this.deliveries.reopen(viewer.workspaceId, id, this.settings.maxAttempts, now);
    if (!reopened) throw new NotificationError('DELIVERY_IN_PROGRESS', 'This delivery is being sent right now; try again shortly', { id });
    await this.queue.enqueue(id);
    return this.get(viewer, id);
  }

  private async find(viewer: Viewer, id: string): Promise<NotificationDelivery> {
    const delivery = isUUID(id) ? await this.deliveries.find(viewer.workspaceId, id) : null;
    if (!delivery) throw new NotFoundError('Notification delivery', id);
    return delivery;
  }

  private async withAttempts(deliveries: NotificationDelivery[]): Promise<NotificationDeliveryView[]> {
    const attempts = deliveries.length ? await this.deliveries.attemptsOf(deliveries.map((d) => d.id)) : [];
    return deliveries.map((d) => ({
      id: d.id,
      liveEventId: d.liveEventId,
      eventType: d.eventType,
      channelId: d.channelId,
      channelKind: d.channelKind,
      campaignId: d.campaignId,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastLatencyMs: d.lastLatencyMs,
      lastError: d.lastError,
      nextAttemptAt: d.nextAttemptAt,
      sentAt: d.sentAt,
      content: d.content,
      attemptLog: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({ attempt: a.attempt, startedAt: a.startedAt, ok: a.ok, responseCode: a.responseCode, latencyMs: a.latencyMs, error: a.error })),
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    }));
  }
}
