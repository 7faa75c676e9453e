import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { EventSource, type LeadProgressService } from '../leads';
import { accountStatusWebhookSchema, isOwnMessage, messagingWebhookSchema, newRelationWebhookSchema } from '../unipile';
import { accountStatusChange } from './account-status-change';
import { type ReplyListener, announceReply } from './reply-listener';
import type { WebhookAccountsRepository } from './webhook-accounts.repository';
import type { EventAccount, StoredEvent, WebhookEventRepository } from './webhook-event.repository';

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

/** A failing event is tried this many times, a minute more apart each time, then kept for an admin to retry. */
export const MAX_PROCESSING_ATTEMPTS = 5;

/** What handling decided, and what to announce once it is committed. */
type Handled = { outcome: ProcessOutcome; afterCommit?: () => Promise<void> };

/**
 * Turns a stored webhook event into lead and account changes, once: the event row is locked and
 * marked processed in the same transaction as the changes, so a second run (the queued job after
 * the fast path, another process, a retry after a crash) finds it done. Every change is idempotent
 * itself too (replies per message id, acceptances per lead status).
 */
export class WebhookProcessorService {
  private readonly log: Logger;
  /** Runs in this process by event id: the fast path and the job of one event do not race. */
  private readonly running = new Map<string, Promise<ProcessOutcome | undefined>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: WebhookEventRepository,
    private readonly accounts: WebhookAccountsRepository,
    private readonly progress: LeadProgressService,
    private readonly clock: Clock,
    log: Logger,
    private readonly onReply?: ReplyListener,
    /** Called after a commit that connected leads: one may be due at once (its delay passed while it waited). */
    private readonly onLeadsDue?: () => void,
  ) {
    this.log = log.child({ module: 'webhooks' });
  }

  /** The outcome, when this call processed the event or joined a run in progress; undefined when it was done already. */
  async process(eventId: string): Promise<ProcessOutcome | undefined> {
    const current = this.running.get(eventId);
    if (current) {
      // A concurrent call (the fast path and the job) shares the run; if it failed, this one tries again.
      const outcome = await current.then(
        (o) => ({ o }),
        () => undefined,
      );
      if (outcome) return outcome.o;
    }
    const run = this.run(eventId);
    this.running.set(eventId, run);
    try {
      return await run;
    } finally {
      if (this.running.get(eventId) === run) this.running.delete(eventId);
    }
  }

  /** Resolves once no event is being processed in this process (shutdown waits for it before the database closes). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private async run(eventId: string): Promise<ProcessOutcome | undefined> {
    let handled: (Handled & { event: StoredEvent }) | undefined;
    try {
      handled = await this.dataSource.transaction(async (em) => {
        const events = this.events.withManager(em);
        // The event and its account in one query; only the event row is locked.
        const locked = await events.lockUnprocessed(eventId);
        if (!locked) return undefined;
        const { event, account } = locked;
        const result = await this.handle(em, event, account);
        await events.markProcessed(eventId, this.clock.now(), result.outcome);
        return { ...result, event };
      });
    } catch (error) {
      await this.recordFailure(eventId, error);
      throw error;
    }
    if (!handled) return undefined;
    await handled.afterCommit?.();
    this.log.debug({ eventId, source: handled.event.source, event: handled.event.event, outcome: handled.outcome }, 'webhook event processed');
    return handled.outcome;
  }

  /** Every failed attempt is on record (the row's last_error) and in the log, with its reason. */
  private async recordFailure(eventId: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
    const attempt = await this.events.recordFailedAttempt(eventId, reason).catch((recordError: unknown) => {
      this.log.error({ err: recordError, eventId }, 'could not record a failed webhook processing attempt');
      return undefined;
    });
    if (attempt !== undefined && attempt >= MAX_PROCESSING_ATTEMPTS) {
      this.log.error({ eventId, attempt, reason }, 'webhook event abandoned after its last attempt: an admin can retry it (retryWebhookEvents)');
    } else {
      this.log.warn({ eventId, attempt, maxAttempts: MAX_PROCESSING_ATTEMPTS, reason }, 'webhook event processing failed; it will be retried');
    }
  }

  private async handle(em: EntityManager, event: StoredEvent, account: EventAccount | null): Promise<Handled> {
    if (!account) return { outcome: 'UNKNOWN_ACCOUNT' };
    if (event.source === 'account_status') return { outcome: await this.accountStatus(em, event, account) };
    if (event.source === 'users') {
      const outcome = await this.newRelation(em, event, account);
      const onLeadsDue = this.onLeadsDue;
      return outcome === 'CONNECTED' && onLeadsDue ? { outcome, afterCommit: async () => onLeadsDue() } : { outcome };
    }
    if (event.event === 'message_received') return this.messageReceived(em, event, account);
    return { outcome: 'IGNORED' }; // read, reaction, edit, delete: kept for the record, nothing for the engine
  }

  private async messageReceived(em: EntityManager, event: StoredEvent, account: EventAccount): Promise<Handled> {
    const payload = messagingWebhookSchema.parse(event.payload);
    // Our own messages (sent by the engine, or by the owner from another device) arrive here too.
    if (payload.sender.attendee_provider_id === account.ownerProviderId || isOwnMessage(payload)) return { outcome: 'OWN_MESSAGE' };
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
    const result = await this.progress.markReplied(reply, em);
    const afterCommit = () => announceReply(this.onReply, this.log, result, reply);
    if (!result) return { outcome: 'NO_LEAD', afterCommit };
    if (result.duplicate) return { outcome: 'DUPLICATE', afterCommit };
    return { outcome: result.optedOut ? 'OPTED_OUT' : 'REPLY_RECORDED', afterCommit };
  }

  private async newRelation(em: EntityManager, event: StoredEvent, account: EventAccount): Promise<ProcessOutcome> {
    const payload = newRelationWebhookSchema.parse(event.payload);
    const leadIds = await this.progress.markConnected(
      {
        accountId: account.id,
        providerId: payload.user_provider_id,
        publicIdentifier: payload.user_public_identifier ?? null,
        // The payload has no time: Unipile telling us is the best known moment (it polls, up to 8 h late).
        occurredAt: event.receivedAt,
        source: EventSource.WEBHOOK,
        includeSiblings: true,
        meta: { webhook_event_id: event.id, occurred_at_source: 'webhook_received' },
      },
      em,
    );
    return leadIds.length > 0 ? 'CONNECTED' : 'NO_LEAD';
  }

  private async accountStatus(em: EntityManager, event: StoredEvent, account: EventAccount): Promise<ProcessOutcome> {
    const { message } = accountStatusWebhookSchema.parse(event.payload).AccountStatus;
    const change = accountStatusChange(message, account.status);
    if (!change) return 'IGNORED';
    await this.accounts.withManager(em).setStatus(account.id, change.status, change.statusReason);
    this.log.info({ accountId: account.id, message, status: change.status }, 'sender account status changed by Unipile');
    return change.outcome;
  }
}

function validDate(value: string): Date | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
