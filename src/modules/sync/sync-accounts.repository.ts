import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { type AccountCaps, AccountStatus, LinkedInAccount } from '../accounts';

/** A sender as the historical sync pages its relations. */
export type SyncAccount = { id: string; unipileAccountId: string };
const toSyncAccount = (r: { id: string; unipile_account_id: string }): SyncAccount => ({ id: r.id, unipileAccountId: r.unipile_account_id });

/** A sender's caps, as the rate-usage backfill prices its ledger rows. */
export type AccountCapsRow = AccountCaps & { id: string };

const accountCapsRow = z
  .object({
    id: z.string(),
    timezone: z.string(),
    daily_invite_cap: z.number(),
    daily_message_cap: z.number(),
    weekly_invite_cap: z.number(),
    ramp_start_cap: z.number().nullable(),
    ramp_daily_increment: z.number().nullable(),
    ramp_target_cap: z.number().nullable(),
    ramp_started_at: z.coerce.date().nullable(),
  })
  .transform(
    (r): AccountCapsRow => ({
      id: r.id,
      timezone: r.timezone,
      dailyInviteCap: r.daily_invite_cap,
      dailyMessageCap: r.daily_message_cap,
      weeklyInviteCap: r.weekly_invite_cap,
      rampStartCap: r.ramp_start_cap,
      rampDailyIncrement: r.ramp_daily_increment,
      rampTargetCap: r.ramp_target_cap,
      rampStartedAt: r.ramp_started_at,
    }),
  );
const accountCapsRows = z.array(accountCapsRow);

/** What syncs, backfills and the reconciliation poll read of sender accounts (linkedin_account, campaign_sender: tables of other features). */
export class SyncAccountsRepository {
  constructor(private readonly db: EntityManager) {}

  /** Workspaces with at least one sender. */
  async workspacesWithSenders(): Promise<string[]> {
    const rows = await this.db.query<Array<{ workspace_id: string }>>(`SELECT DISTINCT workspace_id FROM linkedin_account`);
    return rows.map((r) => r.workspace_id);
  }

  async activeAccountIds(): Promise<string[]> {
    const rows = await this.db.getRepository(LinkedInAccount).find({ where: { status: AccountStatus.ACTIVE }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  findAccount(id: string): Promise<LinkedInAccount | null> {
    return this.db.getRepository(LinkedInAccount).findOne({ where: { id } });
  }

  /** The workspace's senders, oldest first: all, the one given, and/or those of a campaign. */
  async accountsInScope(workspaceId: string, accountId: string | null, campaignId: string | null): Promise<SyncAccount[]> {
    const rows = await this.db.query<Array<{ id: string; unipile_account_id: string }>>(
      `SELECT id, unipile_account_id FROM linkedin_account
       WHERE workspace_id = $1 AND ($2::uuid IS NULL OR id = $2)
         AND ($3::uuid IS NULL OR id IN (SELECT account_id FROM campaign_sender WHERE campaign_id = $3))
       ORDER BY created_at`,
      [workspaceId, accountId, campaignId],
    );
    return rows.map(toSyncAccount);
  }

  /** The caps of the workspace's senders (all, or the one given), oldest first. */
  async accountCaps(workspaceId: string, accountId: string | null): Promise<AccountCapsRow[]> {
    return accountCapsRows.parse(
      await this.db.query<unknown[]>(
        `SELECT id, timezone, daily_invite_cap, daily_message_cap, weekly_invite_cap, ramp_start_cap, ramp_daily_increment,
                ramp_target_cap, ramp_started_at
         FROM linkedin_account WHERE workspace_id = $1 AND ($2::uuid IS NULL OR id = $2) ORDER BY created_at`,
        [workspaceId, accountId],
      ),
    );
  }
}
