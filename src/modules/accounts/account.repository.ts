import { type EntityManager, In } from 'typeorm';
import { LinkedInAccount } from './linkedin-account.entity';

/** Which workspace a Unipile account is linked to. */
export type UnipileLink = { unipileAccountId: string; workspaceId: string };

/** The linkedin_account table (on the data source). */
export class AccountRepository {
  constructor(private readonly db: EntityManager) {}

  /** The workspace's accounts, oldest first. */
  listByWorkspace(workspaceId: string): Promise<LinkedInAccount[]> {
    return this.db.find(LinkedInAccount, { where: { workspaceId }, order: { createdAt: 'ASC' } });
  }

  findInWorkspace(id: string, workspaceId: string): Promise<LinkedInAccount | null> {
    return this.db.findOne(LinkedInAccount, { where: { id, workspaceId } });
  }

  /** The workspace's accounts among these ids. */
  findByIds(workspaceId: string, ids: readonly string[]): Promise<LinkedInAccount[]> {
    return this.db.find(LinkedInAccount, { where: { id: In([...ids]), workspaceId } });
  }

  /** Which of these Unipile accounts are linked, and to which workspace (any workspace). */
  async linksOf(unipileAccountIds: string[]): Promise<UnipileLink[]> {
    const accounts = await this.db.find(LinkedInAccount, {
      where: { unipileAccountId: In(unipileAccountIds) },
      select: { unipileAccountId: true, workspaceId: true },
    });
    return accounts.map((a) => ({ unipileAccountId: a.unipileAccountId, workspaceId: a.workspaceId }));
  }

  /** A new, unsaved account (the columns left out take their defaults when saved). */
  build(fields: Partial<LinkedInAccount>): LinkedInAccount {
    return this.db.create(LinkedInAccount, fields);
  }

  /** Inserts or updates (a unique violation on the Unipile account id surfaces as the database's error). */
  save(account: LinkedInAccount): Promise<LinkedInAccount> {
    return this.db.save(account);
  }
}
