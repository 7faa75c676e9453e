import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import { preparedQuery } from '../../core/db/prepared-query';
import { EventSource, LeadEventType } from './lead-event-type';
import { type NewLeadEvent, insertLeadEvents, leadEventsParams, statusChangedEvent } from './lead-events';
import { FIND_REPLYING_LEAD_SQL, RECORD_REPLY_SQL, type ReplyingLead } from './lead-reply-statements';
import { rescheduleLeads } from './lead-schedule';
import { LeadStatus, isActiveLeadStatus } from './lead-status';
import { Lead } from './lead.entity';

/** Phrases that mean "stop contacting me" (matched case-insensitively as whole words). */
export const DEFAULT_OPT_OUT_PHRASES = ['stop', 'unsubscribe', 'not interested', 'remove me', 'do not contact'];

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

/**
 * What LinkedIn tells us about a lead, whichever path brought it (webhook, poll, sync):
 * an acceptance moves the lead to `connected` and makes its next step due; a reply stops its
 * sequence (or opts it out). Both are idempotent: the same fact twice changes nothing.
 */
export class LeadProgressService {
  private readonly lockReplyingLead;
  private readonly recordReply;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly optOutPhrases: readonly string[] = DEFAULT_OPT_OUT_PHRASES,
  ) {
    this.lockReplyingLead = preparedQuery<ReplyingLead>(dataSource, FIND_REPLYING_LEAD_SQL);
    this.recordReply = preparedQuery<{ id: string }>(dataSource, RECORD_REPLY_SQL);
  }

  /** In `em`'s transaction when given (the caller commits), else in its own. */
  async markConnected(fact: Acceptance, em?: EntityManager): Promise<string[]> {
    if (!fact.providerId && !fact.publicIdentifier) return [];
    return this.inTransaction(em, async (em) => {
      const qb = em
        .getRepository(Lead)
        .createQueryBuilder('l')
        .setLock('pessimistic_write')
        .where('(l.provider_id = :mid OR l.public_identifier = :pub)', {
          mid: fact.providerId ?? null,
          pub: fact.publicIdentifier?.toLowerCase() ?? null,
        });
      if (fact.includeSiblings) {
        // Own leads before an invite, or invited leads of any account of the same workspace.
        qb.andWhere(
          `((l.account_id = :account AND l.status IN (:...own))
            OR (l.status = :invited AND l.account_id IN (
                  SELECT s.id FROM linkedin_account s
                  WHERE s.workspace_id = (SELECT a.workspace_id FROM linkedin_account a WHERE a.id = :account))))`,
          { account: fact.accountId, own: [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT], invited: LeadStatus.INVITE_SENT },
        );
      } else {
        qb.andWhere('l.account_id = :account', { account: fact.accountId }).andWhere('l.status IN (:...statuses)', {
          statuses: [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT],
        });
      }
      const leads = await qb.getMany();
      const now = this.clock.now();
      const events: NewLeadEvent[] = [];
      for (const lead of leads) {
        await em.update(Lead, lead.id, {
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
        await rescheduleLeads(em, lead.campaignId, [lead.id]);
      }
      await insertLeadEvents(em, events);
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
    return this.dataSource.transaction(async (em) => {
      const leads = await em
        .getRepository(Lead)
        .createQueryBuilder('l')
        .setLock('pessimistic_write')
        .where('l.id IN (:...ids)', { ids: leadIds })
        .andWhere('l.account_id = :account', { account: fact.accountId })
        .andWhere('l.status IN (:...statuses)', { statuses: [...PRE_REPLY_STATUSES] })
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM lead_event e WHERE e.lead_id = l.id
                       AND e.type IN ('connection_accepted', 'connection_accepted_historical'))`,
        )
        .getMany();
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
          const [step]: Array<{ kind: string }> = await em.query(
            `SELECT s.kind FROM sequence_step s JOIN campaign c ON c.id = s.campaign_id
             WHERE s.campaign_id = $1 AND s.version = coalesce($2, c.sequence_version) AND s.step_index = $3`,
            [lead.campaignId, lead.sequenceVersion, lead.nextStepIndex],
          );
          // Like the engine's ALREADY_CONNECTED: no invitation is needed any more.
          const beforeInvite = lead.status === LeadStatus.PENDING_INVITE;
          const skipInvite = beforeInvite && step?.kind === 'INVITE';
          const reason = beforeInvite ? 'ALREADY_CONNECTED' : 'INVITE_ACCEPTED';
          await em.update(Lead, lead.id, {
            ...identity,
            status: LeadStatus.CONNECTED,
            statusReason: beforeInvite ? reason : null,
            ...(skipInvite ? { nextStepIndex: lead.nextStepIndex + 1, lastStepSentAt: now } : {}),
          });
          events.push(statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, reason, now, fact.source));
          await rescheduleLeads(em, lead.campaignId, [lead.id]);
        } else {
          await em.update(Lead, lead.id, identity);
        }
      }
      await insertLeadEvents(em, events);
      return leads.map((l) => l.id);
    });
  }

  /**
   * Records a message from the lead (never call it for the account's own messages), in `em`'s
   * transaction when given (the caller commits), else in its own.
   */
  async markReplied(reply: Reply, em?: EntityManager): Promise<ReplyResult | undefined> {
    return this.inTransaction(em, async (em) => {
      const lead = await this.findReplyingLead(em, reply);
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
      const state = [next.status, next.statusReason, next.providerId, next.chatId, next.nextActionAt, next.waitingReason, next.firstReplyAt, next.lastStepBeforeReply];
      // When its status changes, whatever was queued for this lead does not go out.
      const recorded = await this.recordReply([lead.id, reply.messageId, statusChanges, ...state, ...leadEventsParams(events)], em);
      if (recorded.length === 0) return { lead, optedOut: false, duplicate: true };
      if (optedOut) await this.addToDoNotContact(em, next);
      return { lead: next, optedOut, duplicate: false };
    });
  }

  private inTransaction<T>(em: EntityManager | undefined, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return em ? work(em) : this.dataSource.transaction(work);
  }

  isOptOut(text: string | null): boolean {
    if (!text) return false;
    const normalized = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim()} `;
    return this.optOutPhrases.some((p) => normalized.includes(` ${p.toLowerCase()} `));
  }

  private async findReplyingLead(em: EntityManager, reply: Reply): Promise<ReplyingLead | undefined> {
    if (!reply.chatId && !reply.providerId) return undefined;
    const [lead] = await this.lockReplyingLead([reply.accountId, reply.chatId ?? null, reply.providerId ?? null], em);
    return lead;
  }

  private async addToDoNotContact(em: EntityManager, lead: Pick<Lead, 'workspaceId' | 'publicIdentifier' | 'providerId'>): Promise<void> {
    await em.query(
      `INSERT INTO do_not_contact (workspace_id, public_identifier, provider_id, reason, source)
       SELECT $1, $2, $3, 'Replied with an opt-out phrase', 'opt_out'
       WHERE NOT EXISTS (SELECT 1 FROM do_not_contact WHERE workspace_id = $1 AND (public_identifier = $2 OR provider_id = $3))`,
      [lead.workspaceId, lead.publicIdentifier, lead.providerId],
    );
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
