import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { type AccountCaps, dailyCap } from './caps';
import type { UsageRow, WeeklyRow } from '../../core/http/metrics';

type AccountUsage = AccountCaps & { id: string; day: string; invites_today: number; messages_today: number; invites_week: number };

/**
 * Every sender's ledger usage on its own current local day, with the caps that apply (warm-up
 * included): one grouped query over rate_ledger's primary key, whatever the number of accounts.
 */
export function ledgerUsageReader(dataSource: DataSource, clock: Clock) {
  return async (): Promise<{ daily: UsageRow[]; weekly: WeeklyRow[] }> => {
    const rows: AccountUsage[] = await dataSource.query(
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
      [clock.now().toISOString()],
    );
    return {
      daily: rows.flatMap((r) => [
        { accountId: r.id, kind: 'invite' as const, usedToday: r.invites_today, capToday: dailyCap(r, 'invite', r.day) },
        { accountId: r.id, kind: 'message' as const, usedToday: r.messages_today, capToday: dailyCap(r, 'message', r.day) },
      ]),
      weekly: rows.map((r) => ({ accountId: r.id, invitesWeek: r.invites_week, weeklyCap: r.weeklyInviteCap })),
    };
  };
}
