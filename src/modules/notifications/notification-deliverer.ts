import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { EmailSender } from './channels/email.sender';
import type { SendOutcome } from './channels/send-outcome';
import type { SlackSender } from './channels/slack.sender';
import type { WebhookSender } from './channels/webhook.sender';
import type { NotificationChannel } from './notification-channel.entity';
import type { NotificationChannelRepository } from './notification-channel.repository';
import type { ClaimedDelivery, NotificationDeliveryRepository } from './notification-delivery.repository';
import { NotificationChannelKind, NotificationDeliveryStatus } from './notification-kinds';
import type { NotificationSettingsRepository } from './notification-settings.repository';
import { kindEnabled, type NotifierSettings, retryDelayMs } from './notifier-settings';

export type Senders = { email?: EmailSender; slack: SlackSender; webhook: WebhookSender };

export type DeliveryResult =
  | { status: 'NOT_CLAIMED' }
  | { status: NotificationDeliveryStatus; attempt: number; outcome?: SendOutcome; nextAttemptAt?: Date };

/**
 * One attempt at one delivery, run by its job. The claim is one conditional UPDATE, so two jobs
 * for the same delivery (a re-queued one, a late retry) never send at the same time, and a SENT
 * delivery is never sent again except by a replay. A worker that dies mid-send leaves it SENDING
 * until the lease passes; it is then sent again (at least once, rather than maybe never).
 */
export class NotificationDeliverer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: NotificationDeliveryRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly switches: NotificationSettingsRepository,
    private readonly clock: Clock,
    private readonly settings: NotifierSettings,
    private readonly senders: Senders,
    private readonly log: Logger,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryResult> {
    const claimed = await this.claim(deliveryId);
    if (!claimed) return { status: 'NOT_CLAIMED' };
    const attempt = claimed.attempts;
    const channel = await this.channels.findChannelById(claimed.channelId);
    if (!channel || !(await this.enabled(channel))) {
      await this.deliveries.finishUnsent(deliveryId, NotificationDeliveryStatus.SKIPPED, channel ? 'CHANNEL_DISABLED' : 'CHANNEL_DELETED', attempt - 1);
      return { status: NotificationDeliveryStatus.SKIPPED, attempt: attempt - 1 };
    }

    const startedAt = this.clock.now();
    const outcome = await this.send(channel, claimed);
    const retries = attempt - (claimed.attemptLimit - this.settings.maxAttempts);
    const status = outcome.ok
      ? NotificationDeliveryStatus.SENT
      : attempt >= claimed.attemptLimit || outcome.permanent
        ? NotificationDeliveryStatus.FAILED
        : NotificationDeliveryStatus.RETRYING;
    const nextAttemptAt = status === NotificationDeliveryStatus.RETRYING ? new Date(this.clock.now().getTime() + retryDelayMs(this.settings, retries)) : null;
    await this.dataSource.transaction(async (em) => {
      const deliveries = this.deliveries.withManager(em);
      await deliveries.insertAttempt({
        deliveryId,
        attempt,
        startedAt,
        ok: outcome.ok,
        responseCode: outcome.responseCode,
        latencyMs: outcome.latencyMs,
        error: outcome.error,
      });
      await deliveries.recordAttemptResult(deliveryId, {
        status,
        responseCode: outcome.responseCode,
        latencyMs: outcome.latencyMs,
        error: outcome.error,
        nextAttemptAt,
        sent: outcome.ok,
        at: this.clock.now(),
      });
    });
    const logged = { deliveryId, kind: channel.kind, attempt, responseCode: outcome.responseCode, latencyMs: outcome.latencyMs };
    if (outcome.ok) this.log.info(logged, 'notification sent');
    else this.log.warn({ ...logged, error: outcome.error, status }, 'notification attempt failed');
    return { status, attempt, outcome, ...(nextAttemptAt ? { nextAttemptAt } : {}) };
  }

  private claim(deliveryId: string): Promise<ClaimedDelivery | undefined> {
    const now = this.clock.now();
    // The lease covers the slowest send (every SMTP stage may take the timeout) with room to spare.
    const lockedUntil = new Date(now.getTime() + this.settings.timeoutMs * 4 + 30_000);
    return this.deliveries.claim(deliveryId, lockedUntil, now);
  }

  private async enabled(channel: NotificationChannel): Promise<boolean> {
    if (!kindEnabled(this.settings, channel.kind)) return false;
    const ws = await this.switches.find(channel.workspaceId);
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

  private send(channel: NotificationChannel, delivery: ClaimedDelivery): Promise<SendOutcome> {
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
}
