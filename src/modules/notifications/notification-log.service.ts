import { isUUID } from 'class-validator';
import { In, type DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { updateReturning } from '../../core/db/update-returning';
import { NotFoundError } from '../../core/errors';
import { decodeCursor, type Page, toPage } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import type { DeliveryQueue } from './notification-dispatcher';
import { NotificationAttempt } from './notification-attempt.entity';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationError } from './notification.errors';
import type { NotificationDeliveriesArgs, NotificationDeliveryView } from './notification.types';
import type { NotifierSettings } from './notifier-settings';

/** The delivery log (newest first) and replays. */
export class NotificationLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly settings: NotifierSettings,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(viewer: Viewer, args: NotificationDeliveriesArgs): Promise<Page<NotificationDeliveryView>> {
    const qb = this.dataSource
      .getRepository(NotificationDelivery)
      .createQueryBuilder('d')
      .where('d.workspace_id = :ws', { ws: viewer.workspaceId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(args.first + 1);
    if (args.status) qb.andWhere('d.status = :status', { status: args.status });
    if (args.channelId) {
      if (!isUUID(args.channelId)) return toPage([], args.first);
      qb.andWhere('d.channel_id = :channel', { channel: args.channelId });
    }
    if (args.eventType) qb.andWhere('d.event_type = :type', { type: args.eventType });
    if (args.after) {
      const cursor = decodeCursor(args.after);
      qb.andWhere('(d.created_at, d.id) < (:cursorAt, :cursorId)', { cursorAt: cursor.createdAt, cursorId: cursor.id });
    }
    const page = toPage(await qb.getMany(), args.first);
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
    const rows = await updateReturning<{ id: string }>(
      this.dataSource.manager,
      `UPDATE notification_delivery SET status = 'PENDING', attempt_limit = attempts + $3, next_attempt_at = $4, locked_until = NULL, updated_at = now()
       WHERE id = $1 AND workspace_id = $2 AND NOT (status = 'SENDING' AND locked_until >= $4)
       RETURNING id`,
      [id, viewer.workspaceId, this.settings.maxAttempts, now],
    );
    if (rows.length === 0) throw new NotificationError('DELIVERY_IN_PROGRESS', 'This delivery is being sent right now; try again shortly', { id });
    await this.queue.enqueue(id);
    return this.get(viewer, id);
  }

  private async find(viewer: Viewer, id: string): Promise<NotificationDelivery> {
    const delivery = isUUID(id)
      ? await this.dataSource.getRepository(NotificationDelivery).findOneBy({ id, workspaceId: viewer.workspaceId })
      : null;
    if (!delivery) throw new NotFoundError('Notification delivery', id);
    return delivery;
  }

  private async withAttempts(deliveries: NotificationDelivery[]): Promise<NotificationDeliveryView[]> {
    const attempts = deliveries.length
      ? await this.dataSource.getRepository(NotificationAttempt).find({
          where: { deliveryId: In(deliveries.map((d) => d.id)) },
          order: { attempt: 'ASC', id: 'ASC' },
        })
      : [];
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
