import type { DataSource } from 'typeorm';

export type LedgerRow = { day: string; kind: 'invite' | 'message'; used: number; cap: number };

/**
 * Rate ledger rows of one account, as given. Raw SQL: reservations only ever count today's sends
 * one at a time, so a past day's count (right or drifted from the events) is written directly.
 */
export async function writeLedgerRows(ds: DataSource, accountId: string, rows: LedgerRow[]): Promise<void> {
  await ds.query(
    `INSERT INTO rate_ledger (account_id, day, kind, used, cap)
     SELECT $1, * FROM unnest($2::date[], $3::text[], $4::int[], $5::int[])`,
    [accountId, rows.map((r) => r.day), rows.map((r) => r.kind), rows.map((r) => r.used), rows.map((r) => r.cap)],
  );
}
