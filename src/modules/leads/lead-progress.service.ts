import type { EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import { CampaignRepository, StepKind } from '../campaigns';
import { DoNotContactRepository } from './do-not-contact.repository';
import { EventSource, LeadEventType } from './lead-event-type';
import { LeadEventRepository, type NewLeadEvent } from './lead-event.repository';
import { statusChangedEvent } from './lead-events';
import { LeadReplyRepository, type ReplyingLead } from './lead-reply.repository';
import { LeadStatus, isActiveLeadStatus } from './lead-status';
import type { Lead } from './lead.entity';
import { LeadRepository } from './lead.repository';

/** Phrases that mean "stop contacting me" (matched case-insensitively as whole words). */
export const DEFAULT_OPT_OUT_PHRASES = ['stop', 'unsubscribe', 'not interested', 'remove me', 'do not contact'];

/** Whether a reply says one of the phrases as whole words (case and punctuation ignored). */
export function containsOptOutPhrase(text: string | null, phrases: readonly string[]): boolean {
  if (!text) return false;
  const normalized = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim()} `;
  return phrases.some((p) => normalized.includes(` ${p.toLowerCase()} `));
}

export type Acceptance = {
  /** Our LinkedInAccount id. */
  accountId: string;
  providerId?: string | null;
  publicIdentifier?: string | null;
  occurredAt: Date;
  source: EventSource;
  /**
   * Also match invited leads of the other accounts of the same workspace: Unipile may report an
   * acceptance on a sibling account; the lead keeps its own sender.
   */
  includeSiblings?: boolean;
  /** Extra keys for the event's meta (e.g. the webhook event id). */
  meta?: Record<string, unknown>;
};

/** A 1st-degree connection found in the account's relations list (historical sync). */
export type HistoricalConnection = {
  accountId: string;
  providerId: string;
  publicIdentifier?: string | null;
  /** When LinkedIn says the connection was made. */
  occurredAt: Date;
  source: EventSource;
};

/** Statuses a lead has before any reply: the ones a historical connection may concern. */
export const PRE_REPLY_STATUSES = [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT, LeadStatus.CONNECTED, LeadStatus.MESSAGED] as const;

export type Reply = {
  accountId: string;
  providerId?: string | null;
  chatId?: string | null;
  messageId: string;
  text: string | null;
  occurredAt: Date;
  source: EventSource;
  /** Extra keys for the event's meta (e.g. the webhook event id). */
  meta?: Record<string, unknown>;
};

export type ReplyResult = { lead: ReplyingLead; optedOut: boolean; duplicate: boolean };

/** The statements progress runs: leads, their replies and events, opt-outs, and the campaign's steps. */
export type LeadProgressRepositories = {
  leads: LeadRepository;
  replies: LeadReplyRepository;
  events: LeadEventRepository;
  doNotContact: DoNotContactRepository;
  campaigns: CampaignRepository;
};

/** The repositories over a data source's manager. */
export const leadProgressRepositories = (manager: EntityManager): LeadProgressRepositories => ({
  leads: new LeadRepository(manager),
  replies: new LeadReplyRepository(manager),
  events: new LeadEventRepository(manager),
  doNotContact: new DoNotContactRepository(manager),
  campaigns: new CampaignRepository(manager),
});

/**
 * What LinkedIn tells us about a lead, whichever path brought it (webhook, poll, sync):
 * an acceptance moves the lead to `connected` and makes its next step due; a reply stops its
 * sequence (or opts it out). Both are idempotent: the same fact twice changes nothing.
 */
export class LeadProgressService {
  constructor(
    /** Transactions; a data source (its manager carries the default repositories). */
    private readonly db: TransactionRunner & { readonly manager: EntityManager },
    private readonly clock: Clock,
    private readonly optOutPhrases: readonly string[],
    private readonly repositories: LeadProgressRepositories,
  ) {}

  /** In `em`'s transaction when given (the caller commits), else in its own. */
  async markConnected(fact: Acceptance, em?: EntityManager): Promise<string[]> {
    if (!fact.providerId && !fact.publicIdentifier) return [];
    return this.inTransaction(em, async (em) => {
      const repos = this.bound(em);
      const leads = await repos.leads.lockAcceptanceCandidates({
        accountId: fact.accountId,
        providerId: fact.providerId ?? null,
        publicIdentifier: fact.publicIdentifier?.toLowerCase() ?? null,
        includeSiblings: fact.includeSiblings ?? false,
      });
      const now = this.clock.now();
      const events: NewLeadEvent[] = [];
      for (const lead of leads) {
        await repos.leads.update(lead.id, {
          status: LeadStatus.CONNECTED,
          statusReason: null,
          connectedAt: fact.occurredAt,
          providerId: lead.providerId ?? fact.providerId ?? null,
          publicIdentifier: lead.publicIdentifier ?? fact.publicIdentifier?.toLowerCase() ?? null,
        });
        // The acceptance belongs to the lead's own sender, whichever account reported it.
        const sibling = lead.accountId !== null && lead.accountId !== fact.accountId;
        const owned = sibling ? { ...fact, accountId: lead.accountId! } : fact;
        events.push(
          this.event(lead, LeadEventType.CONNECTION_ACCEPTED, owned, now, {
            ...fact.meta,
            ...(sibling ? { reported_by_account_id: fact.accountId } : {}),
          }),
          statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, 'INVITE_ACCEPTED', now, fact.source),
        );
        await repos.leads.reschedule(lead.campaignId, [lead.id]);
      }
      await repos.events.insert(events);
      return leads.map((l) => l.id);
    });
  }

  /**
   * Records that a lead of this account is a 1st-degree connection (historical sync): once per
   * lead (`connection_accepted_historical`, unless an acceptance is already recorded). A lead
   * still before its invite skips the invite step; an invited one is connected. Returns the
   * leads it recorded.
   */
  async markConnectedHistorically(fact: HistoricalConnection, leadIds: string[]): Promise<string[]> {
    if (leadIds.length === 0) return [];
    return this.db.transaction(async (em) => {
      const repos = this.bound(em);
      const leads = await repos.leads.lockUnacceptedLeads(leadIds, fact.accountId, PRE_REPLY_STATUSES);
      const now = this.clock.now();
      const events: NewLeadEvent[] = [];
      for (const lead of leads) {
        const identity = {
          providerId: lead.providerId ?? fact.providerId,
          publicIdentifier: lead.publicIdentifier ?? fact.publicIdentifier?.toLowerCase() ?? null,
          connectedAt: lead.connectedAt ?? fact.occurredAt,
        };
        events.push(this.event(lead, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL, fact, now, {}));
        if (lead.status === LeadStatus.PENDING_INVITE || lead.status === LeadStatus.INVITE_SENT) {
          const step = await repos.campaigns.stepKind(lead.campaignId, lead.sequenceVersion, lead.nextStepIndex);
          // Like the engine's ALREADY_CONNECTED: no invitation is needed any more.
          const beforeInvite = lead.status === LeadStatus.PENDING_INVITE;
          const skipInvite = beforeInvite && step === StepKind.INVITE;
          const reason = beforeInvite ? 'ALREADY_CONNECTED' : 'INVITE_ACCEPTED';
          await repos.leads.update(lead.id, {
            ...identity,
            status: LeadStatus.CONNECTED,
            statusReason: beforeInvite ? reason : null,
            ...(skipInvite ? { nextStepIndex: lead.nextStepIndex + 1, lastStepSentAt: now } : {}),
          });
          events.push(statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, reason, now, fact.source));
          await repos.leads.reschedule(lead.campaignId, [lead.id]);
        } else {
          await repos.leads.update(lead.id, identity);
        }
      }
      await repos.events.insert(events);
      return leads.map((l) => l.id);
    });
  }

  /**
   * Records a message from the lead (never call it for the account's own messages), in `em`'s
   * transaction when given (the caller commits), else in its own.
   */
  async markReplied(reply: Reply, em?: EntityManager): Promise<ReplyResult | undefined> {
    return this.inTransaction(em, async (em) => {
      const repos = this.bound(em);
      const lead = await findReplyingLead(repos.replies, reply);
      if (!lead) return undefined;

      const now = this.clock.now();
      const optedOut = this.isOptOut(reply.text);
      const events: NewLeadEvent[] = [
        this.event(lead, LeadEventType.MESSAGE_RECEIVED, reply, now, {
          ...reply.meta,
          message_id: reply.messageId,
          chat_id: reply.chatId ?? lead.chatId,
          text: reply.text,
        }),
      ];
      // Replies may be delivered out of order: the first reply is the earliest one, not the first seen.
      const firstReply = lead.firstReplyAt === null || reply.occurredAt.getTime() < lead.firstReplyAt.getTime();
      const changes: Partial<ReplyingLead> = {
        chatId: lead.chatId ?? reply.chatId ?? null,
        providerId: lead.providerId ?? reply.providerId ?? null,
        ...(firstReply ? { firstReplyAt: reply.occurredAt, lastStepBeforeReply: lead.nextStepIndex > 0 ? lead.nextStepIndex - 1 : null } : {}),
      };
      const canRespond = isActiveLeadStatus(lead.status) || lead.status === LeadStatus.COMPLETED;
      const status = optedOut ? LeadStatus.OPTED_OUT : canRespond ? LeadStatus.RESPONDED : lead.status;
      const statusChanges = status !== lead.status && lead.status !== LeadStatus.OPTED_OUT;
      if (statusChanges) {
        Object.assign(changes, { status, statusReason: optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', nextActionAt: null, waitingReason: null });
        events.push(statusChangedEvent(lead, lead.status, status, optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', now, reply.source));
      }
      if (optedOut) events.push(this.event(lead, LeadEventType.LEAD_OPTED_OUT, reply, now, { message_id: reply.messageId }));
      const next: ReplyingLead = { ...lead, ...changes };
      // When its status changes, whatever was queued for this lead does not go out.
      const recorded = await repos.replies.recordReply(lead.id, reply.messageId, statusChanges, next, events);
      if (!recorded) return { lead, optedOut: false, duplicate: true };
      if (optedOut) await repos.doNotContact.addOptOut(next);
      return { lead: next, optedOut, duplicate: false };
    });
  }

  private inTransaction<T>(em: EntityManager | undefined, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return em ? work(em) : this.db.transaction(work);
  }

  /** The repositories, inside `em`'s transaction. */
  private bound(em: EntityManager): LeadProgressRepositories {
    const { leads, replies, events, doNotContact, campaigns } = this.repositories;
    return {
      leads: leads.withManager(em),
      replies: replies.withManager(em),
      events: events.withManager(em),
      doNotContact: doNotContact.withManager(em),
      campaigns: campaigns.withManager(em),
    };
  }

  isOptOut(text: string | null): boolean {
    return containsOptOutPhrase(text, this.optOutPhrases);
  }

  private event(
    lead: Pick<Lead, 'id' | 'workspaceId' | 'campaignId' | 'nextStepIndex'>,
    type: LeadEventType,
    fact: { accountId: string; occurredAt: Date; source: EventSource },
    now: Date,
    meta: Record<string, unknown>,
  ): NewLeadEvent {
    return {
      workspaceId: lead.workspaceId,
      campaignId: lead.campaignId,
      leadId: lead.id,
      linkedinAccountId: fact.accountId,
      type,
      stepIndex: lead.nextStepIndex > 0 ? lead.nextStepIndex - 1 : null,
      occurredAt: fact.occurredAt,
      detectedAt: now,
      source: fact.source,
      // How long the fact took to reach us (event time vs detected): webhooks, polls and syncs compared.
      meta: { linkedin_account_id: fact.accountId, detection_latency_ms: Math.max(0, now.getTime() - fact.occurredAt.getTime()), ...meta },
    };
  }
}

/** The lead a reply concerns (by chat, else by member), locked; none without either. */
async function findReplyingLead(replies: LeadReplyRepository, reply: Reply): Promise<ReplyingLead | undefined> {
  if (!reply.chatId && !reply.providerId) return undefined;
  return replies.lockReplyingLead(reply.accountId, reply.chatId ?? null, reply.providerId ?? null);
}
