import type { EntityManager } from 'typeorm';
import { type AccountCaps, type ActionKind, dailyCap, isRamping } from './caps';
import { addDays } from './working-window';

export type Usage = { inviteToday: number; messageToday: number; inviteWeek: number };

export type Refusal = 'DAILY_CAP_REACHED' | 'WEEKLY_CAP_REACHED' | 'RAMP_LIMIT';

/** Invites and messages used on a local day, and invites over the 7 days ending with it. */
export async function usage(em: EntityManager, accountId: string, day: string): Promise<Usage> {
  const rows: Array<{ kind: ActionKind; today: number; week: number }> = await em.query(
    `SELECT kind,
            coalesce(sum(used) FILTER (WHERE day = $2::date), 0)::int AS today,
            coalesce(sum(used), 0)::int AS week
     FROM rate_ledger WHERE account_id = $1 AND day > $3::date AND day <= $2::date
     GROUP BY kind`,
    [accountId, day, addDays(day, -7)],
  );
  const of = (kind: ActionKind) => rows.find((r) => r.kind === kind);
  return { inviteToday: of('invite')?.today ?? 0, messageToday: of('message')?.today ?? 0, inviteWeek: of('invite')?.week ?? 0 };
}

/**
 * Takes one slot for a send, or says which limit refuses it. Call inside a transaction that holds
 * the account row lock (SELECT … FOR UPDATE): the weekly sum and the daily upsert then see every
 * other worker's reservations for this account. The upsert itself only counts below the cap.
 */
export async function reserveSlot(
  em: EntityManager,
  account: AccountCaps & { id: string },
  kind: ActionKind,
  day: string,
): Promise<Refusal | undefined> {
  const cap = dailyCap(account, kind, day);
  const refusedDaily: Refusal = kind === 'invite' && isRamping(account, day) ? 'RAMP_LIMIT' : 'DAILY_CAP_REACHED';
  if (cap <= 0) return refusedDaily;
  // One statement: the rolling 7-day invite sum (messages have no weekly cap) gates the upsert.
  const [row]: Array<{ week: number; reserved: number }> = await em.query(
    `WITH week AS (
       SELECT coalesce(sum(used), 0)::int AS n FROM rate_ledger
       WHERE account_id = $1 AND kind = 'invite' AND day > $5::date AND day <= $2::date),
     reserved AS (
       INSERT INTO rate_ledger (account_id, day, kind, used, cap)
       SELECT $1, $2, $3, 1, $4 WHERE $3 <> 'invite' OR (SELECT n FROM week) < $6
       ON CONFLICT (account_id, day, kind) DO UPDATE SET used = rate_ledger.used + 1, cap = $4
       WHERE rate_ledger.used < $4
       RETURNING used)
     SELECT (SELECT n FROM week) AS week, (SELECT count(*) FROM reserved)::int AS reserved`,
    [account.id, day, kind, cap, addDays(day, -7), account.weeklyInviteCap],
  );
  if (kind === 'invite' && row.week >= account.weeklyInviteCap) return 'WEEKLY_CAP_REACHED';
  return row.reserved === 1 ? undefined : refusedDaily;
}

/** Gives a slot back when the action certainly did not happen. */
export async function releaseSlot(em: EntityManager, accountId: string, kind: ActionKind, day: string): Promise<void> {
  await em.query(`UPDATE rate_ledger SET used = used - 1 WHERE account_id = $1 AND day = $2 AND kind = $3 AND used > 0`, [
    accountId,
    day,
    kind,
  ]);
}
