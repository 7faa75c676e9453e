import type { EntityManager } from 'typeorm';
import { type AccountStatus, LinkedInAccount } from '../accounts';

/** The statements the engine runs on sender accounts (linkedin_account, a table of the accounts feature). */
export class EngineAccountsRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): EngineAccountsRepository {
    return new EngineAccountsRepository(em);
  }

  /**
   * Locks the accounts of these step executions, in id order: workers claiming batches that
   * share accounts then wait for each other instead of deadlocking. NO KEY UPDATE, like every row
   * lock here: it excludes other lockers but not the key-share lock of a foreign-key check on the
   * account (with FOR UPDATE, a recording transaction's check waited here while holding an
   * execution the claim wanted: a deadlock).
   */
  async lockAccountsOfExecutions(executionIds: string[]): Promise<void> {
    await this.db.query(
      `SELECT 1 FROM linkedin_account WHERE id IN (SELECT account_id FROM step_execution WHERE id = ANY($1::uuid[])) ORDER BY id FOR NO KEY UPDATE`,
      [executionIds],
    );
  }

  /** The account rests (LinkedIn rate-limited it) until `until`. */
  async setCooldown(accountId: string, until: Date): Promise<void> {
    await this.db.update(LinkedInAccount, accountId, { cooldownUntil: until });
  }

  /** Unipile says the account cannot send (disconnected, restricted), and why. */
  async setStatus(accountId: string, status: AccountStatus, statusReason: string): Promise<void> {
    await this.db.update(LinkedInAccount, accountId, { status, statusReason });
  }
}
