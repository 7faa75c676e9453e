import type { EntityManager } from 'typeorm';
import { type AccountStatus, LinkedInAccount } from '../accounts';

/** What webhook processing writes to sender accounts (linkedin_account, a table of the accounts feature). */
export class WebhookAccountsRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): WebhookAccountsRepository {
    return new WebhookAccountsRepository(em);
  }

  /** Sets the status Unipile reported for the account, with its reason (null when it is fine again). */
  async setStatus(accountId: string, status: AccountStatus, statusReason: string | null): Promise<void> {
    await this.db.getRepository(LinkedInAccount).update(accountId, { status, statusReason });
  }
}
