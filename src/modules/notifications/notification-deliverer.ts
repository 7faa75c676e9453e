import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { updateReturning } from '../../core/db/update-returning';
import type { Logger } from '../../core/logger';
import type { EmailSender } from './channels/email.sender';
import type { SendOutcome } from './channels/send-outcome';
import type { SlackSender } from './channels/slack.sender';
import type { WebhookSender } from './channels/webhook.sender';
import type { NotificationContent } from './notification-content';
import { NotificationChannel } from './notification-channel.entity';
import { NotificationChannelKind, NotificationDeliveryStatus } from './notification-kinds';
import { NotificationSettings } from './notification-settings.entity';
import { kindEnabled, type NotifierSettings, retryDelayMs } from './notifier-settings';

export type Senders = { email?: EmailSender; slack: SlackSender; webhook: WebhookSender };

export type DeliveryResult =
  | { status: 'NOT_CLAIMED' }
  | { status: NotificationDeliveryStatus; attempt: number; outcome?: SendOutcome; nextAttemptAt?: Date };

type Claimed = { id: string; workspace_id: string; channel_id: string; attempts: number; attempt_limit: number; content: NotificationContent };

/**
 * One attempt at one delivery, run by its job. The claim is one conditional UPDATE, so two jobs
 * for the same delivery (a re-queued one, a late retry) never send at the same time, and a SENT
 * delivery is never sent again except by a replay. A worker that dies mid-send leaves it SENDING
 * until the lease passes; it is then sent again (at least once, rather than maybe never).
 */
export class NotificationDeliverer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly settings: NotifierSettings,
    private readonly senders: Senders,
    private readonly log: Logger,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryResult> {
    const claimed = await this.claim(deliveryId);
    if (!claimed) return { status: 'NOT_CLAIMED' };
    const attempt = claimed.attempts;
    const channel = await this.dataSource.getRepository(NotificationChannel).findOneBy({ id: claimed.channel_id });
    if (!channel || !(await this.enabled(channel))) {
      await this.finish(deliveryId, NotificationDeliveryStatus.SKIPPED, { last_error: channel ? 'CHANNEL_DISABLED' : 'CHANNEL_DELETED', attempts: attempt - 1 });
      return { status: NotificationDeliveryStatus.SKIPPED, attempt: attempt - 1 };
    }

    const startedAt = this.clock.now();
    const outcome = await this.send(channel, claimed);
    const retries = attempt - (claimed.attempt_limit - this.settings.maxAttempts);
    const status = outcome.ok
      ? NotificationDeliveryStatus.SENT
      : attempt >= claimed.attempt_limit || outcome.permanent
        ? NotificationDeliveryStatus.FAILED
        : NotificationDeliveryStatus.RETRYING;
    const nextAttemptAt = status === NotificationDeliveryStatus.RETRYING ? new Date(this.clock.now().getTime() + retryDelayMs(this.settings, retries)) : null;
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `INSERT INTO notification_attempt (delivery_id, attempt, started_at, ok, response_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [deliveryId, attempt, startedAt, outcome.ok, outcome.responseCode, outcome.latencyMs, outcome.error],
      );
      await em.query(
        `UPDATE notification_delivery SET status = $2, last_status_code = $3, last_latency_ms = $4, last_error = $5,
           next_attempt_at = $6, sent_at = CASE WHEN $7 THEN $8::timestamptz ELSE sent_at END, locked_until = NULL, updated_at = now()
         WHERE id = $1`,
        [deliveryId, status, outcome.responseCode, outcome.latencyMs, outcome.error, nextAttemptAt, outcome.ok, this.clock.now()],
      );
    });
    const logged = { deliveryId, kind: channel.kind, attempt, responseCode: outcome.responseCode, latencyMs: outcome.latencyMs };
    if (outcome.ok) this.log.info(logged, 'notification sent');
    else this.log.warn({ ...logged, error: outcome.error, status }, 'notification attempt failed');
    return { status, attempt, outcome, ...(nextAttemptAt ? { nextAttemptAt } : {}) };
  }

  private async claim(deliveryId: string): Promise<Claimed | undefined> {
    const now = this.clock.now();
    // The lease covers the slowest send (every SMTP stage may take the timeout) with room to spare.
    const lockedUntil = new Date(now.getTime() + this.settings.timeoutMs * 4 + 30_000);
    const rows = await updateReturning<Claimed>(
      this.dataSource.manager,
      `UPDATE notification_delivery SET status = 'SENDING', attempts = attempts + 1, locked_until = $2, updated_at = now()
       WHERE id = $1 AND ((status IN ('PENDING', 'RETRYING') AND (next_attempt_at IS NULL OR next_attempt_at <= $3))
                          OR (status = 'SENDING' AND locked_until < $3))
       RETURNING id, workspace_id, channel_id, attempts, attempt_limit, content`,
      [deliveryId, lockedUntil, now],
    );
    return rows[0];
  }

  private async enabled(channel: NotificationChannel): Promise<boolean> {
    if (!kindEnabled(this.settings, channel.kind)) return false;
    const ws = await this.dataSource.getRepository(NotificationSettings).findOneBy({ workspaceId: channel.workspaceId });
    if (!ws) return true;
    switch (channel.kind) {
      case NotificationChannelKind.EMAIL:
        return ws.emailEnabled;
      case NotificationChannelKind.SLACK:
        return ws.slackEnabled;
      case NotificationChannelKind.WEBHOOK:
        return ws.webhooksEnabled;
    }
  }

  private send(channel: NotificationChannel, delivery: Claimed): Promise<SendOutcome> {
    switch (channel.kind) {
      case NotificationChannelKind.EMAIL:
        return this.senders.email
          ? this.senders.email.send(channel.recipients, delivery.content)
          : Promise.resolve({ ok: false, responseCode: null, latencyMs: 0, error: 'SMTP_URL is not set' });
      case NotificationChannelKind.SLACK:
        return this.senders.slack.send(channel.secret ?? '', delivery.content);
      case NotificationChannelKind.WEBHOOK:
        return this.senders.webhook.send({ url: channel.url ?? '', secret: channel.secret ?? '', deliveryId: delivery.id }, delivery.content);
    }
  }

  private async finish(deliveryId: string, status: NotificationDeliveryStatus, fields: { last_error: string; attempts: number }): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_delivery SET status = $2, last_error = $3, attempts = $4, locked_until = NULL, next_attempt_at = NULL, updated_at = now() WHERE id = $1`,
      [deliveryId, status, fields.last_error, fields.attempts],
    );
  }
}
