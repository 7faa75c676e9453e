import type { EntityManager } from 'typeorm';

/** One day's use of one kind of action, with the cap a new ledger row gets. */
export type LedgerUsage = { day: string; kind: 'invite' | 'message'; used: number; cap: number };

/** What the rate-usage backfill writes to the rate ledger (rate_ledger, a table of the outreach feature). */
export class SyncRateLedgerRepository {
  constructor(private readonly db: EntityManager) {}

  /**
   * Sets the account's `used` per (day, kind): past days take the count given, `today` keeps the
   * higher of both. A row is created only for a day with use, with the cap given; an existing
   * row keeps its cap. The number of rows created or changed.
   */
  async rebuildUsage(accountId: string, usage: LedgerUsage[], today: string): Promise<number> {
    const changed = await this.db.query<unknown[]>(
      `WITH r AS (SELECT * FROM unnest($2::date[], $3::text[], $4::int[], $5::int[]) AS r(day, kind, used, cap))
         INSERT INTO rate_ledger (account_id, day, kind, used, cap)
         SELECT $1, r.day, r.kind, r.used, r.cap FROM r
         WHERE r.used > 0 OR EXISTS (SELECT 1 FROM rate_ledger x WHERE x.account_id = $1 AND x.day = r.day AND x.kind = r.kind)
         ON CONFLICT (account_id, day, kind) DO UPDATE
           SET used = CASE WHEN rate_ledger.day = $6::date THEN greatest(rate_ledger.used, EXCLUDED.used) ELSE EXCLUDED.used END
           WHERE rate_ledger.used IS DISTINCT FROM (CASE WHEN rate_ledger.day = $6::date THEN greatest(rate_ledger.used, EXCLUDED.used) ELSE EXCLUDED.used END)
         RETURNING 1`,
      [accountId, usage.map((u) => u.day), usage.map((u) => u.kind), usage.map((u) => u.used), usage.map((u) => u.cap), today],
    );
    return changed.length;
  }
}
