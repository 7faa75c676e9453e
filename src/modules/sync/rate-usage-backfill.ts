import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { lastDays } from '../analytics/analytics-time';
import type { AnalyticsRepository } from '../analytics/analytics.repository';
import { type AccountCaps, dailyCap } from '../outreach/caps';
import { localDay } from '../outreach/working-window';
import type { RunProgress, SyncParams, SyncRunner } from './sync-progress';

/** Days rebuilt by default: the rolling weekly cap reads 7, and a month shows drift. */
export const DEFAULT_RATE_USAGE_DAYS = 35;

type AccountRow = AccountCaps & { id: string };

/**
 * Rebuilds `rate_ledger.used` from the events (`connection_request_sent`, `message_sent`) per
 * local day of each account, counted by the analytics rollups. Past days take the events' count;
 * today keeps the higher of both, since a slot is reserved before its send is recorded. A new
 * row's cap is the day's cap under the current settings; an existing row keeps the cap it had.
 */
export function rateUsageBackfillRunner(deps: { dataSource: DataSource; analytics: AnalyticsRepository; clock: Clock }): SyncRunner {
  return async (run, report) => {
    const params = run.params as SyncParams;
    const days = params.days ?? DEFAULT_RATE_USAGE_DAYS;
    const accounts = z.array(accountCapsRow).parse(
      await deps.dataSource.query(
        `SELECT id, timezone, daily_invite_cap, daily_message_cap, weekly_invite_cap, ramp_start_cap, ramp_daily_increment,
                ramp_target_cap, ramp_started_at
         FROM linkedin_account WHERE workspace_id = $1 AND ($2::uuid IS NULL OR id = $2) ORDER BY created_at`,
        [run.workspaceId, params.accountId ?? null],
      ),
    );
    const totals: RunProgress = { processed: 0, total: accounts.length * days, matched: 0, unmatched: 0, details: { accounts: accounts.length, rowsChanged: 0 } };
    const now = deps.clock.now();

    for (const account of accounts) {
      const sends = await deps.analytics.accountSends(account.id, lastDays(account.timezone, now, days));
      const today = localDay(account.timezone, now);
      const rows = sends.flatMap((s) => [
        { day: s.day, kind: 'invite' as const, used: s.invites },
        { day: s.day, kind: 'message' as const, used: s.messages },
      ]);
      const changed: unknown[] = await deps.dataSource.query(
        `WITH r AS (SELECT * FROM unnest($2::date[], $3::text[], $4::int[], $5::int[]) AS r(day, kind, used, cap))
         INSERT INTO rate_ledger (account_id, day, kind, used, cap)
         SELECT $1, r.day, r.kind, r.used, r.cap FROM r
         WHERE r.used > 0 OR EXISTS (SELECT 1 FROM rate_ledger x WHERE x.account_id = $1 AND x.day = r.day AND x.kind = r.kind)
         ON CONFLICT (account_id, day, kind) DO UPDATE
           SET used = CASE WHEN rate_ledger.day = $6::date THEN greatest(rate_ledger.used, EXCLUDED.used) ELSE EXCLUDED.used END
           WHERE rate_ledger.used IS DISTINCT FROM (CASE WHEN rate_ledger.day = $6::date THEN greatest(rate_ledger.used, EXCLUDED.used) ELSE EXCLUDED.used END)
         RETURNING 1`,
        [account.id, rows.map((r) => r.day), rows.map((r) => r.kind), rows.map((r) => r.used), rows.map((r) => dailyCap(account, r.kind, r.day)), today],
      );
      totals.processed += sends.length;
      totals.matched += sends.length;
      totals.details.rowsChanged = (totals.details.rowsChanged as number) + changed.length;
      await report(totals);
    }
    return totals;
  };
}

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
    (r): AccountRow => ({
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
