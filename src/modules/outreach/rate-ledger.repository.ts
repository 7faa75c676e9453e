import type { EntityManager } from 'typeorm';
import { type AccountCaps, type ActionKind, dailyCap } from '../accounts';
import { type LedgerRow, type Refusal, type SlotRequest, type Usage, dailyRefusal, grantSlots } from './rate-ledger';
import { addDays } from '../../core/time/days';

/** An account's caps with its ledger use on its own current local day (for the metrics). */
export type AccountUsageRow = AccountCaps & { id: string; day: string; invites_today: number; messages_today: number; invites_week: number };

/**
 * The rate ledger (rate_ledger): reservations of send slots per account, local day and kind.
 * Reservations run inside a transaction that holds the account row lock (SELECT … FOR NO KEY UPDATE):
 * the weekly sum and the daily upsert then see every other worker's reservations for the account.
 */
export class RateLedgerRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): RateLedgerRepository {
    return new RateLedgerRepository(em);
  }

  /** Invites and messages used on a local day, and invites over the 7 days ending with it. */
  async usage(accountId: string, day: string): Promise<Usage> {
    const rows = await this.db.query<Array<{ kind: ActionKind; today: number; week: number }>>(
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

  /** Takes one slot for a send, or says which limit refuses it. The upsert itself only counts below the cap. */
  async reserveSlot(account: AccountCaps & { id: string }, kind: ActionKind, day: string): Promise<Refusal | undefined> {
    const cap = dailyCap(account, kind, day);
    const refusedDaily = dailyRefusal(account, kind, day);
    if (cap <= 0) return refusedDaily;
    // One statement: the rolling 7-day invite sum (messages have no weekly cap) gates the upsert.
    const [row] = await this.db.query<Array<{ week: number; reserved: number }>>(
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

  /**
   * reserveSlot for a batch, in order, in two round trips: one read of the ledger rows the
   * requests can touch (each account's last 7 days), then one upsert of what was granted (see
   * grantSlots). Hold every account's row lock. Per request, undefined (granted) or the limit that refuses it.
   */
  async reserveSlots(requests: SlotRequest[]): Promise<Array<Refusal | undefined>> {
    if (requests.length === 0) return [];
    if (requests.length === 1) {
      const [r] = requests;
      return [await this.reserveSlot(r.account, r.kind, r.day)];
    }
    const days = requests.map((r) => r.day).sort();
    const rows = await this.db.query<Array<{ account_id: string; day: string; kind: ActionKind; used: number }>>(
      `SELECT account_id, day::text AS day, kind::text AS kind, used FROM rate_ledger
     WHERE account_id = ANY($1::uuid[]) AND day > $2::date AND day <= $3::date`,
      [[...new Set(requests.map((r) => r.account.id))], addDays(days[0], -7), days[days.length - 1]],
    );
    const ledger: LedgerRow[] = rows.map((r) => ({ accountId: r.account_id, day: r.day, kind: r.kind, used: r.used }));
    const { refusals, grants } = grantSlots(requests, ledger);
    if (grants.length > 0) {
      await this.db.query(
        `INSERT INTO rate_ledger (account_id, day, kind, used, cap)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::int[], $5::int[])
       ON CONFLICT (account_id, day, kind) DO UPDATE SET used = rate_ledger.used + EXCLUDED.used, cap = EXCLUDED.cap`,
        [grants.map((g) => g.accountId), grants.map((g) => g.day), grants.map((g) => g.kind), grants.map((g) => g.n), grants.map((g) => g.cap)],
      );
    }
    return refusals;
  }

  /** Gives a slot back when the action certainly did not happen. */
  async releaseSlot(accountId: string, kind: ActionKind, day: string): Promise<void> {
    await this.db.query(`UPDATE rate_ledger SET used = used - 1 WHERE account_id = $1 AND day = $2 AND kind = $3 AND used > 0`, [
      accountId,
      day,
      kind,
    ]);
  }

  /**
   * Every sender's ledger usage on its own current local day (at `now`), with its caps: one
   * grouped query over rate_ledger's primary key, whatever the number of accounts.
   */
  currentUsage(now: Date): Promise<AccountUsageRow[]> {
    return this.db.query<AccountUsageRow[]>(
      `WITH a AS (
         SELECT id, timezone, daily_invite_cap, daily_message_cap, weekly_invite_cap, ramp_start_cap,
                ramp_daily_increment, ramp_target_cap, ramp_started_at,
                ($1::timestamptz AT TIME ZONE timezone)::date AS day
         FROM linkedin_account)
       SELECT a.id, a.timezone, a.day::text AS day,
              a.daily_invite_cap AS "dailyInviteCap", a.daily_message_cap AS "dailyMessageCap",
              a.weekly_invite_cap AS "weeklyInviteCap", a.ramp_start_cap AS "rampStartCap",
              a.ramp_daily_increment AS "rampDailyIncrement", a.ramp_target_cap AS "rampTargetCap",
              a.ramp_started_at AS "rampStartedAt",
              coalesce(sum(r.used) FILTER (WHERE r.kind = 'invite' AND r.day = a.day), 0)::int AS invites_today,
              coalesce(sum(r.used) FILTER (WHERE r.kind = 'message' AND r.day = a.day), 0)::int AS messages_today,
              coalesce(sum(r.used) FILTER (WHERE r.kind = 'invite'), 0)::int AS invites_week
       FROM a LEFT JOIN rate_ledger r ON r.account_id = a.id AND r.day > a.day - 7 AND r.day <= a.day
       GROUP BY a.id, a.timezone, a.day, a.daily_invite_cap, a.daily_message_cap, a.weekly_invite_cap,
                a.ramp_start_cap, a.ramp_daily_increment, a.ramp_target_cap, a.ramp_started_at`,
      [now.toISOString()],
    );
  }
}
