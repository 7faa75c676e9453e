import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { Metric } from './analytics-definitions';
import type { DayRange } from './analytics-time';

// Analytics queries only: every number is aggregated in SQL, from the rollups the Analytics
// migration maintains (analytics_campaign_day, analytics_quarter_hour, analytics_lead_fact) and
// the lead table's statuses. Results are checked with zod before they leave.

const int = z.coerce.number().int();
const float = z.coerce.number();
const nullableDate = z.coerce.date().nullable();
const nullableFloat = float.nullable();

const dayCountsSchema = z.object({ day: z.string(), invites: int, acceptances: int, messages: int, replies: int });
export type DayCounts = z.infer<typeof dayCountsSchema>;

const campaignSchema = z.object({ id: z.string(), name: z.string(), status: z.string() });
export type CampaignRow = z.infer<typeof campaignSchema>;

const accountSchema = z.object({
  id: z.string(),
  display_name: z.string(),
  status: z.string(),
  timezone: z.string(),
  daily_invite_cap: int,
  daily_message_cap: int,
  weekly_invite_cap: int,
  work_start_minute: int,
  work_end_minute: int,
  working_days: z.array(int),
  ramp_start_cap: int.nullable(),
  ramp_daily_increment: int.nullable(),
  ramp_target_cap: int.nullable(),
  ramp_started_at: nullableDate,
  cooldown_until: nullableDate,
});
export type AccountRow = z.infer<typeof accountSchema>;

const statusCountsSchema = z.record(z.string(), int);

const summarySchema = z.object({
  ...campaignSchema.shape,
  statuses: statusCountsSchema,
  totals: z.record(z.string(), int),
  last_activity_at: nullableDate,
  window_replies: int,
  last_days: z.array(dayCountsSchema),
  invited: int,
  invited_accepted: int,
  messaged: int,
  replied: int,
  messaged_replied: int,
  window_messaged: int,
  window_messaged_replied: int,
});
export type SummaryRow = z.infer<typeof summarySchema>;

const sendsSchema = z.object({ day: z.string(), invites: int, messages: int });
export type DaySends = z.infer<typeof sendsSchema>;

const timingSchema = z.object({
  replied: int,
  outbound_leads: int,
  outbound_median: nullableFloat,
  outbound_p90: nullableFloat,
  outbound_mean: nullableFloat,
  acceptance_leads: int,
  acceptance_median: nullableFloat,
  acceptance_p90: nullableFloat,
  acceptance_mean: nullableFloat,
});
export type TimingRow = z.infer<typeof timingSchema>;

const stepSchema = z.object({ step: int.nullable(), replies: int });
const accountRateSchema = z.object({ account_id: z.string().nullable(), display_name: z.string().nullable(), messaged: int, replied: int });
export type AccountRateRow = z.infer<typeof accountRateSchema>;
const distributionSchema = z.object({ kind: z.enum(['hour', 'weekday']), key: int, replies: int });

/** Whose replies: always a workspace, optionally narrowed to a campaign and/or a sender account. */
export type ReplyScope = { workspaceId: string; campaignId?: string; accountId?: string };

// One array schema per row schema: building it costs more than parsing a few dozen rows.
const arraySchemas = new WeakMap<z.ZodTypeAny, z.ZodArray<z.ZodTypeAny>>();
const parseRows = <T extends z.ZodTypeAny>(schema: T, rows: unknown): Array<z.infer<T>> => {
  let array = arraySchemas.get(schema);
  if (!array) arraySchemas.set(schema, (array = z.array(schema)));
  return array.parse(rows) as Array<z.infer<T>>;
};

// Leads of a campaign ($1) per status, as a JSON object (the index on (campaign_id, status, id) answers it).
const statusCountsSelect = `(SELECT coalesce(jsonb_object_agg(status, n), '{}')
  FROM (SELECT status::text, count(*)::int AS n FROM lead WHERE campaign_id = $1 GROUP BY status) s)`;

// A sender's limits and hours, from linkedin_account as `a` (explicit columns: the entity may be ahead of the database).
const accountColumns = `a.id, a.display_name, a.status::text AS status, a.timezone, a.daily_invite_cap, a.daily_message_cap,
  a.weekly_invite_cap, a.work_start_minute, a.work_end_minute, a.working_days, a.ramp_start_cap, a.ramp_daily_increment,
  a.ramp_target_cap, a.ramp_started_at, a.cooldown_until`;

// Per-day counts of the four metrics from rows (day, metric, n), zero-filled over `days`.
const dailyCountsSelect = `
  d.day::text AS day,
  coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.INVITE}), 0)::int AS invites,
  coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.ACCEPTANCE}), 0)::int AS acceptances,
  coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.MESSAGE}), 0)::int AS messages,
  coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.REPLY}), 0)::int AS replies`;

export class AnalyticsRepository {
  constructor(private readonly db: EntityManager) {}

  async findCampaign(workspaceId: string, campaignId: string): Promise<CampaignRow | undefined> {
    const rows = await this.db.query<unknown[]>(`SELECT id, name, status::text FROM campaign WHERE id = $1 AND workspace_id = $2`, [
      campaignId,
      workspaceId,
    ]);
    return parseRows(campaignSchema, rows)[0];
  }

  /** The sender's limits and hours. */
  async findAccount(workspaceId: string, accountId: string): Promise<AccountRow | undefined> {
    const rows = await this.db.query<unknown[]>(`SELECT ${accountColumns} FROM linkedin_account a WHERE a.id = $1 AND a.workspace_id = $2`, [
      accountId,
      workspaceId,
    ]);
    return parseRows(accountSchema, rows)[0];
  }

  /** Leads of a campaign per status (the same SQL as the summary's); undefined: not a campaign of the workspace. */
  async statusCounts(workspaceId: string, campaignId: string): Promise<Record<string, number> | undefined> {
    const rows = await this.db.query<Array<{ statuses: unknown }>>(`SELECT ${statusCountsSelect} AS statuses FROM campaign WHERE id = $1 AND workspace_id = $2`, [
      campaignId,
      workspaceId,
    ]);
    return rows.length > 0 ? statusCountsSchema.parse(rows[0].statuses) : undefined;
  }

  /**
   * Everything campaignSummary shows, in one round trip with the ownership check: the campaign's
   * name and status, statuses, all-time counts and the latest event (campaign-day rollup),
   * `lastDays` UTC days, and the distinct-lead counts (lead facts), overall and for leads first
   * messaged since `windowStart`. Undefined: not a campaign of the workspace.
   */
  async campaignSummary(workspaceId: string, campaignId: string, lastDays: DayRange, windowStart: Date): Promise<SummaryRow | undefined> {
    const rows = await this.db.query<unknown[]>(
      `WITH c AS (SELECT id, name, status::text AS status FROM campaign WHERE id = $1 AND workspace_id = $5),
            rollup AS (SELECT day, metric, count, last_at FROM analytics_campaign_day WHERE campaign_id = $1),
            days AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
            facts AS (
              SELECT count(*) FILTER (WHERE first_invite_at IS NOT NULL) AS invited,
                     count(*) FILTER (WHERE first_invite_at IS NOT NULL AND first_accept_at IS NOT NULL) AS invited_accepted,
                     count(*) FILTER (WHERE first_message_at IS NOT NULL) AS messaged,
                     count(*) FILTER (WHERE first_reply_at IS NOT NULL) AS replied,
                     count(*) FILTER (WHERE first_message_at IS NOT NULL AND first_reply_at IS NOT NULL) AS messaged_replied,
                     count(*) FILTER (WHERE first_message_at >= $4) AS window_messaged,
                     count(*) FILTER (WHERE first_message_at >= $4 AND first_reply_at IS NOT NULL) AS window_messaged_replied
              FROM analytics_lead_fact WHERE campaign_id = $1)
       SELECT
         c.id, c.name, c.status,
         ${statusCountsSelect} AS statuses,
         (SELECT coalesce(jsonb_object_agg(metric, n), '{}')
            FROM (SELECT metric, sum(count)::int AS n FROM rollup GROUP BY metric) t) AS totals,
         (SELECT max(last_at) FROM rollup WHERE metric = ${Metric.ANY}) AS last_activity_at,
         (SELECT coalesce(sum(count), 0)::int FROM rollup WHERE metric = ${Metric.REPLY} AND day >= ($4::timestamptz AT TIME ZONE 'UTC')::date) AS window_replies,
         (SELECT jsonb_agg(x ORDER BY x.day) FROM (
            SELECT ${dailyCountsSelect}
            FROM days d LEFT JOIN (SELECT day, metric, count AS n FROM rollup WHERE day >= $2::date AND day <= $3::date) a ON a.day = d.day
            GROUP BY d.day) x) AS last_days,
         facts.*
       FROM c, facts`,
      [campaignId, lastDays.firstDay, lastDays.lastDay, windowStart.toISOString(), workspaceId],
    );
    return rows.length > 0 ? summarySchema.parse(rows[0]) : undefined;
  }

  /**
   * Counted events of a campaign per local day of `range` (zero-filled), from the 15-minute rollup,
   * with the ownership check: no rows (never the case otherwise) when it is not a campaign of the workspace.
   */
  async campaignDays(workspaceId: string, campaignId: string, range: DayRange): Promise<DayCounts[]> {
    const rows = await this.db.query<unknown[]>(
      `WITH c AS (SELECT id FROM campaign WHERE id = $1 AND workspace_id = $7),
            days AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
            a AS (SELECT (bucket AT TIME ZONE $4)::date AS day, metric, sum(count) AS n
                  FROM analytics_quarter_hour
                  WHERE campaign_id = $1 AND bucket >= $5 AND bucket < $6
                  GROUP BY 1, 2)
       SELECT ${dailyCountsSelect} FROM c, days d LEFT JOIN a ON a.day = d.day GROUP BY d.day ORDER BY d.day`,
      [campaignId, range.firstDay, range.lastDay, range.timezone, range.from.toISOString(), range.to.toISOString(), workspaceId],
    );
    return parseRows(dayCountsSchema, rows);
  }

  /**
   * The sender's limits and hours with its invites and messages per local day (days with sends
   * only) over `window`, in one round trip with the ownership check. The caller knows the local
   * days only once it has the account's zone: `window` must cover them (analytics-time.ts).
   */
  async accountWithSends(workspaceId: string, accountId: string, window: { from: Date; to: Date }): Promise<{ account: AccountRow; sends: DaySends[] } | undefined> {
    const rows = await this.db.query<Array<{ sends: unknown }>>(
      `SELECT ${accountColumns},
              (SELECT coalesce(json_agg(s), '[]') FROM (
                 SELECT (q.bucket AT TIME ZONE a.timezone)::date::text AS day,
                        coalesce(sum(q.count) FILTER (WHERE q.metric = ${Metric.INVITE}), 0)::int AS invites,
                        coalesce(sum(q.count) FILTER (WHERE q.metric = ${Metric.MESSAGE}), 0)::int AS messages
                 FROM analytics_quarter_hour q
                 WHERE q.account_id = $1 AND q.bucket >= $3 AND q.bucket < $4 AND q.metric IN (${Metric.INVITE}, ${Metric.MESSAGE})
                 GROUP BY 1) s) AS sends
       FROM linkedin_account a WHERE a.id = $1 AND a.workspace_id = $2`,
      [accountId, workspaceId, window.from.toISOString(), window.to.toISOString()],
    );
    if (rows.length === 0) return undefined;
    return { account: accountSchema.parse(rows[0]), sends: parseRows(sendsSchema, rows[0].sends) };
  }

  /** Invites and messages an account sent per local day of `range` (zero-filled). */
  async accountSends(accountId: string, range: DayRange): Promise<DaySends[]> {
    const rows = await this.db.query<unknown[]>(
      `WITH days AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
            a AS (SELECT (bucket AT TIME ZONE $4)::date AS day, metric, sum(count) AS n
                  FROM analytics_quarter_hour
                  WHERE account_id = $1 AND bucket >= $5 AND bucket < $6 AND metric IN (${Metric.INVITE}, ${Metric.MESSAGE})
                  GROUP BY 1, 2)
       SELECT d.day::text AS day,
              coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.INVITE}), 0)::int AS invites,
              coalesce(sum(a.n) FILTER (WHERE a.metric = ${Metric.MESSAGE}), 0)::int AS messages
       FROM days d LEFT JOIN a ON a.day = d.day GROUP BY d.day ORDER BY d.day`,
      [accountId, range.firstDay, range.lastDay, range.timezone, range.from.toISOString(), range.to.toISOString()],
    );
    return parseRows(sendsSchema, rows);
  }

  /** Time to first reply (seconds) over leads whose first reply falls in the range. */
  async replyTiming(scope: ReplyScope, range: DayRange): Promise<TimingRow> {
    const { where, params } = factScope(scope, 'first_reply_at', range);
    const seconds = (from: string) => `extract(epoch FROM first_reply_at - ${from})::float8`;
    const stats = (name: string, from: string) => `
      count(*) FILTER (WHERE ${from} <= first_reply_at)::int AS ${name}_leads,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${seconds(from)}) FILTER (WHERE ${from} <= first_reply_at) AS ${name}_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY ${seconds(from)}) FILTER (WHERE ${from} <= first_reply_at) AS ${name}_p90,
      avg(${seconds(from)}) FILTER (WHERE ${from} <= first_reply_at) AS ${name}_mean`;
    const rows = await this.db.query<unknown[]>(
      `SELECT count(*)::int AS replied, ${stats('outbound', 'least(first_invite_at, first_message_at)')}, ${stats('acceptance', 'first_accept_at')}
       FROM analytics_lead_fact WHERE ${where}`,
      params,
    );
    return timingSchema.parse(rows[0]);
  }

  /** Leads whose first reply falls in the range, by the step of the last outbound action before it. */
  async repliesByStep(scope: ReplyScope, range: DayRange): Promise<Array<{ step: number | null; replies: number }>> {
    const { where, params } = factScope(scope, 'first_reply_at', range);
    const rows = await this.db.query<unknown[]>(
      `SELECT reply_step AS step, count(*)::int AS replies FROM analytics_lead_fact WHERE ${where}
       GROUP BY reply_step ORDER BY reply_step NULLS FIRST`,
      params,
    );
    return parseRows(stepSchema, rows);
  }

  /** Per sender account: leads first messaged in the range, and how many of them replied (ever). */
  async replyRateByAccount(scope: ReplyScope, range: DayRange): Promise<AccountRateRow[]> {
    const { where, params } = factScope(scope, 'first_message_at', range, 'f.');
    const rows = await this.db.query<unknown[]>(
      `SELECT f.account_id, a.display_name, count(*)::int AS messaged, count(*) FILTER (WHERE f.first_reply_at IS NOT NULL)::int AS replied
       FROM analytics_lead_fact f LEFT JOIN linkedin_account a ON a.id = f.account_id
       WHERE ${where}
       GROUP BY f.account_id, a.display_name ORDER BY a.display_name NULLS LAST, f.account_id NULLS LAST`,
      params,
    );
    return parseRows(accountRateSchema, rows);
  }

  /** Reply events in the range by local hour of day (0–23) and ISO weekday (1 = Monday), zero-filled. */
  async replyDistribution(scope: ReplyScope, range: DayRange): Promise<{ byHour: number[]; byWeekday: number[] }> {
    const params: unknown[] = [scope.workspaceId, range.from.toISOString(), range.to.toISOString(), range.timezone];
    const filters = ['workspace_id = $1', `metric = ${Metric.REPLY}`, 'bucket >= $2', 'bucket < $3'];
    if (scope.campaignId) filters.push(`campaign_id = $${params.push(scope.campaignId)}`);
    if (scope.accountId) filters.push(`account_id = $${params.push(scope.accountId)}`);
    const rows = await this.db.query<unknown[]>(
      `WITH r AS (SELECT bucket AT TIME ZONE $4 AS local, count FROM analytics_quarter_hour WHERE ${filters.join(' AND ')})
       SELECT 'hour' AS kind, h AS key, coalesce(sum(r.count), 0)::int AS replies
         FROM generate_series(0, 23) h LEFT JOIN r ON extract(hour FROM r.local) = h GROUP BY h
       UNION ALL
       SELECT 'weekday', d, coalesce(sum(r.count), 0)::int
         FROM generate_series(1, 7) d LEFT JOIN r ON extract(isodow FROM r.local) = d GROUP BY d
       ORDER BY 1, 2`,
      params,
    );
    const parsed = parseRows(distributionSchema, rows);
    return {
      byHour: parsed.filter((r) => r.kind === 'hour').map((r) => r.replies),
      byWeekday: parsed.filter((r) => r.kind === 'weekday').map((r) => r.replies),
    };
  }

  /** Recomputes every rollup from lead_event (the SQL function the migration defines). */
  async rebuild(): Promise<void> {
    await this.db.query(`SELECT analytics_rebuild()`);
  }
}

/** WHERE over analytics_lead_fact for a scope and a range of one of its timestamps. */
function factScope(scope: ReplyScope, column: 'first_reply_at' | 'first_message_at', range: DayRange, alias = '') {
  const params: unknown[] = [scope.workspaceId, range.from.toISOString(), range.to.toISOString()];
  const filters = [`${alias}workspace_id = $1`, `${alias}${column} >= $2`, `${alias}${column} < $3`];
  if (scope.campaignId) filters.push(`${alias}campaign_id = $${params.push(scope.campaignId)}`);
  if (scope.accountId) filters.push(`${alias}account_id = $${params.push(scope.accountId)}`);
  return { where: filters.join(' AND '), params };
}
