import { type EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { updateReturning } from '../../core/db/update-returning';
import { NotificationAttempt } from './notification-attempt.entity';
import type { NotificationContent } from './notification-content';
import { NotificationDelivery } from './notification-delivery.entity';
import type { NotificationDeliveryStatus, NotificationEventType } from './notification-kinds';

/** A delivery taken for one attempt: its attempts counter already counts this one. */
export type ClaimedDelivery = { id: string; workspaceId: string; channelId: string; attempts: number; attemptLimit: number; content: NotificationContent };

/** One try, as the delivery log shows it. */
export type NewAttempt = {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  ok: boolean;
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
};

/** What an attempt left on its delivery. */
export type AttemptResult = {
  status: NotificationDeliveryStatus;
  responseCode: number | null;
  latencyMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
  /** Sent: sent_at becomes `at`, else it keeps its value. */
  sent: boolean;
  at: Date;
};

export type DeliveryFilter = {
  status?: NotificationDeliveryStatus | null;
  channelId?: string | null;
  eventType?: NotificationEventType | null;
  /** Deliveries strictly before this (created_at, id), newest first. */
  before?: { createdAt: Date; id: string };
};

// The content was written by the dispatcher from NotificationContent; it is checked to be an object, not re-validated.
const claimedSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  channel_id: z.string(),
  attempts: z.number().int(),
  attempt_limit: z.number().int(),
  content: z.custom<NotificationContent>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
});
const toClaimed = (row: unknown): ClaimedDelivery => {
  const r = claimedSchema.parse(row);
  return { id: r.id, workspaceId: r.workspace_id, channelId: r.channel_id, attempts: r.attempts, attemptLimit: r.attempt_limit, content: r.content };
};

/** Deliveries and their attempts (notification_delivery, notification_attempt). */
export class NotificationDeliveryRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): NotificationDeliveryRepository {
    return new NotificationDeliveryRepository(em);
  }

  /**
   * Takes a delivery for one attempt, leased until `lockedUntil`: when it is due (PENDING or
   * RETRYING, at or after its next attempt time) or its lease has passed (SENDING, its worker
   * died). Undefined when it may not be sent now.
   */
  async claim(id: string, lockedUntil: Date, now: Date): Promise<ClaimedDelivery | undefined> {
    const rows = await updateReturning<unknown>(
      this.db,
      `UPDATE notification_delivery SET status = 'SENDING', attempts = attempts + 1, locked_until = $2, updated_at = now()
       WHERE id = $1 AND ((status IN ('PENDING', 'RETRYING') AND (next_attempt_at IS NULL OR next_attempt_at <= $3))
                          OR (status = 'SENDING' AND locked_until < $3))
       RETURNING id, workspace_id, channel_id, attempts, attempt_limit, content`,
      [id, lockedUntil, now],
    );
    return rows.length > 0 ? toClaimed(rows[0]) : undefined;
  }

  async insertAttempt(attempt: NewAttempt): Promise<void> {
    await this.db.query(
      `INSERT INTO notification_attempt (delivery_id, attempt, started_at, ok, response_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [attempt.deliveryId, attempt.attempt, attempt.startedAt, attempt.ok, attempt.responseCode, attempt.latencyMs, attempt.error],
    );
  }

  /** Ends an attempt: its outcome on the delivery, and the lease released. */
  async recordAttemptResult(id: string, result: AttemptResult): Promise<void> {
    await this.db.query(
      `UPDATE notification_delivery SET status = $2, last_status_code = $3, last_latency_ms = $4, last_error = $5,
           next_attempt_at = $6, sent_at = CASE WHEN $7 THEN $8::timestamptz ELSE sent_at END, locked_until = NULL, updated_at = now()
         WHERE id = $1`,
      [id, result.status, result.responseCode, result.latencyMs, result.error, result.nextAttemptAt, result.sent, result.at],
    );
  }

  /** Ends a claimed delivery without sending it (its attempts counter set back to `attempts`). */
  async finishUnsent(id: string, status: NotificationDeliveryStatus, lastError: string, attempts: number): Promise<void> {
    await this.db.query(
      `UPDATE notification_delivery SET status = $2, last_error = $3, attempts = $4, locked_until = NULL, next_attempt_at = NULL, updated_at = now() WHERE id = $1`,
      [id, status, lastError, attempts],
    );
  }

  /** The workspace's deliveries, newest first, at most `limit`. */
  list(workspaceId: string, filter: DeliveryFilter, limit: number): Promise<NotificationDelivery[]> {
    const qb = this.db
      .getRepository(NotificationDelivery)
      .createQueryBuilder('d')
      .where('d.workspace_id = :ws', { ws: workspaceId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit);
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.channelId) qb.andWhere('d.channel_id = :channel', { channel: filter.channelId });
    if (filter.eventType) qb.andWhere('d.event_type = :type', { type: filter.eventType });
    if (filter.before) qb.andWhere('(d.created_at, d.id) < (:cursorAt, :cursorId)', { cursorAt: filter.before.createdAt, cursorId: filter.before.id });
    return qb.getMany();
  }

  find(workspaceId: string, id: string): Promise<NotificationDelivery | null> {
    return this.db.getRepository(NotificationDelivery).findOneBy({ id, workspaceId });
  }

  /** The attempts of these deliveries, in attempt order. */
  attemptsOf(deliveryIds: string[]): Promise<NotificationAttempt[]> {
    return this.db.getRepository(NotificationAttempt).find({ where: { deliveryId: In(deliveryIds) }, order: { attempt: 'ASC', id: 'ASC' } });
  }

  /**
   * Makes a delivery of the workspace PENDING again with `extraAttempts` more attempts, due at
   * `now`, unless it is being sent (SENDING with a live lease). False when it was not changed.
   */
  async reopen(workspaceId: string, id: string, extraAttempts: number, now: Date): Promise<boolean> {
    const rows = await updateReturning<{ id: string }>(
      this.db,
      `UPDATE notification_delivery SET status = 'PENDING', attempt_limit = attempts + $3, next_attempt_at = $4, locked_until = NULL, updated_at = now()
       WHERE id = $1 AND workspace_id = $2 AND NOT (status = 'SENDING' AND locked_until >= $4)
       RETURNING id`,
      [id, workspaceId, extraAttempts, now],
    );
    return rows.length > 0;
  }
}
