import { type EntityManager, IsNull } from 'typeorm';
import { LinkedInAccount } from '../accounts/linkedin-account.entity';
import { type NewLeadEvent, insertLeadEvents } from '../leads/lead-events';
import { Lead } from '../leads/lead.entity';
import type { Refusal } from '../outreach/rate-ledger';
import { RateLedgerRepository } from '../outreach/rate-ledger.repository';

/**
 * debugSendChat's statements: the lead, its sender (locked), the sender's message slot (the
 * engine's ledger statements, in outreach) and what a sent message records (the leads module's
 * event insert). Every method runs on the data source, or in the transaction of `em` when given.
 */
export class ManualMessageRepository {
  constructor(private readonly db: EntityManager) {}

  findLead(workspaceId: string, leadId: string, em: EntityManager = this.db): Promise<Lead | null> {
    return em.findOne(Lead, { where: { id: leadId, workspaceId } });
  }

  /** The account, its row locked until the transaction of `em` ends (sends of one sender are serialised). */
  lockAccount(accountId: string, em: EntityManager): Promise<LinkedInAccount | null> {
    return em.findOne(LinkedInAccount, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Takes one message slot of the account's day, or says which limit refuses it (hold the account lock). */
  reserveMessageSlot(account: LinkedInAccount, day: string, em: EntityManager = this.db): Promise<Refusal | undefined> {
    return new RateLedgerRepository(em).reserveSlot(account, 'message', day);
  }

  /** Gives the slot back (the message certainly did not go out). */
  releaseMessageSlot(accountId: string, day: string, em: EntityManager = this.db): Promise<void> {
    return new RateLedgerRepository(em).releaseSlot(accountId, 'message', day);
  }

  /** Sets the lead's chat id unless it has one already. */
  async setChatIdIfNone(leadId: string, chatId: string, em: EntityManager = this.db): Promise<void> {
    await em.update(Lead, { id: leadId, chatId: IsNull() }, { chatId });
  }

  insertEvents(events: NewLeadEvent[], em: EntityManager = this.db): Promise<void> {
    return insertLeadEvents(em, events);
  }
}
