import { type EntityManager, IsNull } from 'typeorm';
import { LinkedInAccount } from '../accounts';
import { Lead, LeadEventRepository, type NewLeadEvent } from '../leads';
import { RateLedgerRepository, type Refusal } from '../outreach';

/**
 * debugSendChat's statements: the lead, its sender (locked), the sender's message slot (the
 * engine's ledger statements, in outreach) and what a sent message records (the leads module's
 * event insert). `withManager(em)` gives the same statements inside `em`'s transaction.
 */
export class ManualMessageRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): ManualMessageRepository {
    return new ManualMessageRepository(em);
  }

  findLead(workspaceId: string, leadId: string): Promise<Lead | null> {
    return this.db.findOne(Lead, { where: { id: leadId, workspaceId } });
  }

  /** The account, its row locked until its transaction ends (call it on a copy bound to one): sends of one sender are serialised. */
  lockAccount(accountId: string): Promise<LinkedInAccount | null> {
    return this.db.findOne(LinkedInAccount, { where: { id: accountId }, lock: { mode: 'for_no_key_update' } });
  }

  /** Takes one message slot of the account's day, or says which limit refuses it (hold the account lock). */
  reserveMessageSlot(account: LinkedInAccount, day: string): Promise<Refusal | undefined> {
    return new RateLedgerRepository(this.db).reserveSlot(account, 'message', day);
  }

  /** Gives the slot back (the message certainly did not go out). */
  releaseMessageSlot(accountId: string, day: string): Promise<void> {
    return new RateLedgerRepository(this.db).releaseSlot(accountId, 'message', day);
  }

  /** Sets the lead's chat id unless it has one already. */
  async setChatIdIfNone(leadId: string, chatId: string): Promise<void> {
    await this.db.update(Lead, { id: leadId, chatId: IsNull() }, { chatId });
  }

  insertEvents(events: NewLeadEvent[]): Promise<void> {
    return new LeadEventRepository(this.db).insert(events);
  }
}
