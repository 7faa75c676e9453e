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

export type SlotRequest = { account: AccountCaps & { id: string }; kind: ActionKind; day: string };

/**
 * reserveSlot for a batch, in order, in two round trips: one read of the ledger rows the requests
 * can touch (each account's last 7 days), then one upsert of what was granted. The same rules as
 * one reservation after another: a daily (or ramp) cap per local day and kind, and the rolling
 * 7-day invite sum. Call inside a transaction that holds every account's row lock. Returns, per
 * request, undefined (granted) or the limit that refuses it.
 */
export async function reserveSlots(em: EntityManager, requests: SlotRequest[]): Promise<Array<Refusal | undefined>> {
  if (requests.length === 0) return [];
  if (requests.length === 1) {
    const [r] = requests;
    return [await reserveSlot(em, r.account, r.kind, r.day)];
  }
  const days = requests.map((r) => r.day).sort();
  const rows: Array<{ account_id: string; day: string; kind: ActionKind; used: number }> = await em.query(
    `SELECT account_id, day::text AS day, kind::text AS kind, used FROM rate_ledger
     WHERE account_id = ANY($1::uuid[]) AND day > $2::date AND day <= $3::date`,
    [[...new Set(requests.map((r) => r.account.id))], addDays(days[0], -7), days[days.length - 1]],
  );
  const used = new Map<string, number>();
  const key = (accountId: string, day: string, kind: ActionKind) => `${accountId}/${day}/${kind}`;
  for (const row of rows) used.set(key(row.account_id, row.day, row.kind), row.used);
  const weekOf = (accountId: string, day: string) => {
    let n = 0;
    for (let d = -6; d <= 0; d++) n += used.get(key(accountId, addDays(day, d), 'invite')) ?? 0;
    return n;
  };
  const granted = new Map<string, { accountId: string; day: string; kind: ActionKind; n: number; cap: number }>();
  const refusals = requests.map(({ account, kind, day }): Refusal | undefined => {
    const cap = dailyCap(account, kind, day);
    const refusedDaily: Refusal = kind === 'invite' && isRamping(account, day) ? 'RAMP_LIMIT' : 'DAILY_CAP_REACHED';
    if (cap <= 0) return refusedDaily;
    if (kind === 'invite' && weekOf(account.id, day) >= account.weeklyInviteCap) return 'WEEKLY_CAP_REACHED';
    const k = key(account.id, day, kind);
    if ((used.get(k) ?? 0) >= cap) return refusedDaily;
    used.set(k, (used.get(k) ?? 0) + 1);
    const g = granted.get(k) ?? { accountId: account.id, day, kind, n: 0, cap };
    g.n += 1;
    granted.set(k, g);
    return undefined;
  });
  const grants = [...granted.values()];
  if (grants.length > 0) {
    await em.query(
      `INSERT INTO rate_ledger (account_id, day, kind, used, cap)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::int[], $5::int[])
       ON CONFLICT (account_id, day, kind) DO UPDATE SET used = rate_ledger.used + EXCLUDED.used, cap = EXCLUDED.cap`,
      [grants.map((g) => g.accountId), grants.map((g) => g.day), grants.map((g) => g.kind), grants.map((g) => g.n), grants.map((g) => g.cap)],
    );
  }
  return refusals;
}

/** Gives a slot back when the action certainly did not happen. */
export async function releaseSlot(em: EntityManager, accountId: string, kind: ActionKind, day: string): Promise<void> {
  await em.query(`UPDATE rate_ledger SET used = used - 1 WHERE account_id = $1 AND day = $2 AND kind = $3 AND used > 0`, [
    accountId,
    day,
    kind,
  ]);
}
