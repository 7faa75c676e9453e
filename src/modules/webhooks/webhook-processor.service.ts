import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { LinkedInAccount } from '../accounts/linkedin-account.entity';
import { EventSource } from '../leads/lead-event-type';
import type { LeadProgressService } from '../leads/lead-progress.service';
import { accountStatusWebhookSchema, isOwnMessage, messagingWebhookSchema, newRelationWebhookSchema } from '../unipile/unipile-webhook.schemas';
import { accountStatusChange } from './account-status-change';
import { type ReplyListener, announceReply } from './reply-listener';
import { WebhookEvent } from './webhook-event.entity';

export type ProcessOutcome =
  | 'REPLY_RECORDED'
  | 'OPTED_OUT'
  | 'DUPLICATE'
  | 'OWN_MESSAGE'
  | 'NO_LEAD'
  | 'CONNECTED'
  | 'UNKNOWN_ACCOUNT'
  | 'ACCOUNT_PAUSED'
  | 'ACCOUNT_RESUMED'
  | 'IGNORED';

/**
 * Turns a stored webhook event into lead and account changes, once: an event already processed is
 * skipped, and every change it makes is idempotent itself (replies per message id, acceptances per
 * lead status), so a second run after a crash changes nothing.
 */
export class WebhookProcessorService {
  private readonly log: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly progress: LeadProgressService,
    private readonly clock: Clock,
    log: Logger,
    private readonly onReply?: ReplyListener,
  ) {
    this.log = log.child({ module: 'webhooks' });
  }

  async process(eventId: string): Promise<ProcessOutcome | undefined> {
    const repo = this.dataSource.getRepository(WebhookEvent);
    const event = await repo.findOne({ where: { id: eventId } });
    if (!event || event.processedAt) return undefined;
    let outcome: ProcessOutcome;
    try {
      outcome = await this.handle(event);
    } catch (error) {
      await repo.increment({ id: eventId }, 'attempts', 1);
      await repo.update({ id: eventId }, { lastError: error instanceof Error ? error.message.slice(0, 500) : String(error) });
      throw error;
    }
    await this.dataSource.query(
      `UPDATE webhook_event SET processed_at = $2, outcome = $3, attempts = attempts + 1, last_error = NULL WHERE id = $1 AND processed_at IS NULL`,
      [eventId, this.clock.now(), outcome],
    );
    this.log.debug({ eventId, source: event.source, event: event.event, outcome }, 'webhook event processed');
    return outcome;
  }

  private async handle(event: WebhookEvent): Promise<ProcessOutcome> {
    const account = event.unipileAccountId
      ? await this.dataSource.getRepository(LinkedInAccount).findOne({ where: { unipileAccountId: event.unipileAccountId } })
      : null;
    if (!account) return 'UNKNOWN_ACCOUNT';
    if (event.source === 'account_status') return this.accountStatus(event, account);
    if (event.source === 'users') return this.newRelation(event, account);
    if (event.event === 'message_received') return this.messageReceived(event, account);
    return 'IGNORED'; // read, reaction, edit, delete: kept for the record, nothing for the engine
  }

  private async messageReceived(event: WebhookEvent, account: LinkedInAccount): Promise<ProcessOutcome> {
    const payload = messagingWebhookSchema.parse(event.payload);
    // Our own messages (sent by the engine, or by the owner from another device) arrive here too.
    if (payload.sender.attendee_provider_id === account.ownerProviderId || isOwnMessage(payload)) return 'OWN_MESSAGE';
    const reply = {
      accountId: account.id,
      providerId: payload.sender.attendee_provider_id,
      chatId: payload.chat_id,
      messageId: payload.message_id,
      text: payload.message,
      occurredAt: validDate(payload.timestamp) ?? event.receivedAt,
      source: EventSource.WEBHOOK,
      meta: { webhook_event_id: event.id },
    };
    const result = await this.progress.markReplied(reply);
    await announceReply(this.onReply, this.log, result, reply);
    if (!result) return 'NO_LEAD';
    if (result.duplicate) return 'DUPLICATE';
    return result.optedOut ? 'OPTED_OUT' : 'REPLY_RECORDED';
  }

  private async newRelation(event: WebhookEvent, account: LinkedInAccount): Promise<ProcessOutcome> {
    const payload = newRelationWebhookSchema.parse(event.payload);
    const leadIds = await this.progress.markConnected({
      accountId: account.id,
      providerId: payload.user_provider_id,
      publicIdentifier: payload.user_public_identifier ?? null,
      // The payload has no time: Unipile telling us is the best known moment (it polls, up to 8 h late).
      occurredAt: event.receivedAt,
      source: EventSource.WEBHOOK,
      includeSiblings: true,
      meta: { webhook_event_id: event.id, occurred_at_source: 'webhook_received' },
    });
    return leadIds.length > 0 ? 'CONNECTED' : 'NO_LEAD';
  }

  private async accountStatus(event: WebhookEvent, account: LinkedInAccount): Promise<ProcessOutcome> {
    const { message } = accountStatusWebhookSchema.parse(event.payload).AccountStatus;
    const change = accountStatusChange(message, account.status);
    if (!change) return 'IGNORED';
    await this.dataSource.getRepository(LinkedInAccount).update(account.id, { status: change.status, statusReason: change.statusReason });
    this.log.info({ accountId: account.id, message, status: change.status }, 'sender account status changed by Unipile');
    return change.outcome;
  }
}

function validDate(value: string): Date | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
