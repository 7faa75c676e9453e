import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import { EventSource, LeadEventType } from './lead-event-type';
import { type NewLeadEvent, insertLeadEvents, statusChangedEvent } from './lead-events';
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
};

export type Reply = {
  accountId: string;
  providerId?: string | null;
  chatId?: string | null;
  messageId: string;
  text: string | null;
  occurredAt: Date;
  source: EventSource;
};

export type ReplyResult = { lead: Lead; optedOut: boolean; duplicate: boolean };

/**
 * What LinkedIn tells us about a lead, whichever path brought it (webhook, poll, sync):
 * an acceptance moves the lead to `connected` and makes its next step due; a reply stops its
 * sequence (or opts it out). Both are idempotent: the same fact twice changes nothing.
 */
export class LeadProgressService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly optOutPhrases: readonly string[] = DEFAULT_OPT_OUT_PHRASES,
  ) {}

  async markConnected(fact: Acceptance): Promise<string[]> {
    if (!fact.providerId && !fact.publicIdentifier) return [];
    return this.dataSource.transaction(async (em) => {
      const leads = await em
        .getRepository(Lead)
        .createQueryBuilder('l')
        .setLock('pessimistic_write')
        .where('l.account_id = :account', { account: fact.accountId })
        .andWhere('l.status IN (:...statuses)', { statuses: [LeadStatus.PENDING_INVITE, LeadStatus.INVITE_SENT] })
        .andWhere('(l.provider_id = :mid OR l.public_identifier = :pub)', {
          mid: fact.providerId ?? null,
          pub: fact.publicIdentifier?.toLowerCase() ?? null,
        })
        .getMany();
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
        events.push(
          this.event(lead, LeadEventType.CONNECTION_ACCEPTED, fact, now, {}),
          statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, 'INVITE_ACCEPTED', now, fact.source),
        );
        await rescheduleLeads(em, lead.campaignId, [lead.id]);
      }
      await insertLeadEvents(em, events);
      return leads.map((l) => l.id);
    });
  }

  /** Records a message from the lead (never call it for the account's own messages). */
  async markReplied(reply: Reply): Promise<ReplyResult | undefined> {
    return this.dataSource.transaction(async (em) => {
      const lead = await this.findReplyingLead(em, reply);
      if (!lead) return undefined;
      const [{ n }]: Array<{ n: number }> = await em.query(
        `SELECT count(*)::int AS n FROM lead_event WHERE lead_id = $1 AND type = 'message_received' AND meta->>'message_id' = $2`,
        [lead.id, reply.messageId],
      );
      if (n > 0) return { lead, optedOut: false, duplicate: true };

      const now = this.clock.now();
      const optedOut = this.isOptOut(reply.text);
      const events: NewLeadEvent[] = [
        this.event(lead, LeadEventType.MESSAGE_RECEIVED, reply, now, {
          message_id: reply.messageId,
          chat_id: reply.chatId ?? lead.chatId,
          text: reply.text,
        }),
      ];
      const firstReply = lead.firstReplyAt === null;
      const changes: Partial<Lead> = {
        chatId: lead.chatId ?? reply.chatId ?? null,
        providerId: lead.providerId ?? reply.providerId ?? null,
        ...(firstReply ? { firstReplyAt: reply.occurredAt, lastStepBeforeReply: lead.nextStepIndex > 0 ? lead.nextStepIndex - 1 : null } : {}),
      };
      const canRespond = isActiveLeadStatus(lead.status) || lead.status === LeadStatus.COMPLETED;
      const status = optedOut ? LeadStatus.OPTED_OUT : canRespond ? LeadStatus.RESPONDED : lead.status;
      if (status !== lead.status && lead.status !== LeadStatus.OPTED_OUT) {
        Object.assign(changes, { status, statusReason: optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', nextActionAt: null, waitingReason: null });
        events.push(statusChangedEvent(lead, lead.status, status, optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', now, reply.source));
        // Whatever was queued for this lead does not go out.
        await em.query(`UPDATE step_execution SET state = 'skipped', last_error = 'LEAD_REPLIED' WHERE lead_id = $1 AND state = 'scheduled'`, [lead.id]);
      }
      if (optedOut) {
        events.push(this.event(lead, LeadEventType.LEAD_OPTED_OUT, reply, now, { message_id: reply.messageId }));
        await this.addToDoNotContact(em, { ...lead, ...changes });
      }
      await em.update(Lead, lead.id, changes);
      await insertLeadEvents(em, events);
      return { lead: Object.assign(lead, changes), optedOut, duplicate: false };
    });
  }

  isOptOut(text: string | null): boolean {
    if (!text) return false;
    const normalized = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim()} `;
    return this.optOutPhrases.some((p) => normalized.includes(` ${p.toLowerCase()} `));
  }

  /** The lead of this account in that chat, or else with that member id (newest first). */
  private async findReplyingLead(em: EntityManager, reply: Reply): Promise<Lead | null> {
    const qb = em
      .getRepository(Lead)
      .createQueryBuilder('l')
      .setLock('pessimistic_write')
      .where('l.account_id = :account', { account: reply.accountId })
      .orderBy('l.created_at', 'DESC')
      .limit(1);
    if (reply.chatId) {
      const byChat = await qb.clone().andWhere('l.chat_id = :chat', { chat: reply.chatId }).getOne();
      if (byChat) return byChat;
    }
    if (!reply.providerId) return null;
    return qb.andWhere('l.provider_id = :mid', { mid: reply.providerId }).getOne();
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
    lead: Lead,
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
      meta: { linkedin_account_id: fact.accountId, ...meta },
    };
  }
}
