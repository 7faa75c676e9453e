
// Checks of what the engine did, read back from the database after a simulated run: every send is
// a connection_request_sent or message_sent event (the engine writes one per action it records),
// judged against the account's settings and the lead's sequence. Plain SQL, independent of the
// engine's code, so a bug in caps.ts or working-window.ts cannot hide itself.
//
// Definitions: local times and days are in the account's time zone; a daily cap applies to the
// account's local day (with the warm-up ramp counted from the local day it started); the weekly
// cap applies to every 7 consecutive local days (the engine's rolling week).

/** A DataSource, or an EntityManager inside a transaction (to audit altered data and roll it back). */
export type Queryable = { query(sql: string, params?: unknown[]): Promise<any> };

export type Check = { total: number; examples: Array<Record<string, unknown>> };

export type SimulationAudit = {
  /** Sends audited (invites + messages). */
  actions: number;
  outsideWorkingHours: Check;
  overDailyCap: Check;
  overWeeklyCap: Check;
  underMinimumGap: Check;
  sentTwice: Check;
  inconsistentHistory: Check;
};

export const AUDIT_CHECKS = ['outsideWorkingHours', 'overDailyCap', 'overWeeklyCap', 'underMinimumGap', 'sentTwice', 'inconsistentHistory'] as const;

const EXAMPLES = 20;

const ACTIONS = `
  actions AS (
    SELECT e.id AS event_id, e.linkedin_account_id AS account_id, e.lead_id, e.step_index, e.occurred_at,
           CASE WHEN e.type = 'connection_request_sent' THEN 'invite' ELSE 'message' END AS kind
    FROM lead_event e
    WHERE e.type IN ('connection_request_sent', 'message_sent')
  ),
  local_actions AS (
    SELECT a.*, a.occurred_at AT TIME ZONE acc.timezone AS local_at, (a.occurred_at AT TIME ZONE acc.timezone)::date AS day
    FROM actions a JOIN linkedin_account acc ON acc.id = a.account_id
  )`;

const OUTSIDE_WORKING_HOURS = `
  WITH ${ACTIONS}
  SELECT a.account_id, acc.timezone, a.lead_id, a.kind, a.occurred_at, a.local_at::text AS local_at
  FROM local_actions a JOIN linkedin_account acc ON acc.id = a.account_id
  WHERE NOT (
    extract(isodow FROM a.local_at)::int = ANY (acc.working_days)
    AND a.local_at::time >= make_time(acc.work_start_minute / 60, acc.work_start_minute % 60, 0)
    AND (acc.work_end_minute >= 1440 OR a.local_at::time < make_time(acc.work_end_minute / 60, acc.work_end_minute % 60, 0)))
  ORDER BY a.occurred_at`;

const PER_DAY = `
  per_day AS (
    SELECT a.account_id, a.kind, a.day, count(*)::int AS sent
    FROM local_actions a GROUP BY a.account_id, a.kind, a.day
  )`;

const OVER_DAILY_CAP = `
  WITH ${ACTIONS}, ${PER_DAY}
  SELECT * FROM (
    SELECT p.account_id, p.kind, p.day::text AS day, p.sent,
           CASE
             WHEN p.kind = 'message' THEN acc.daily_message_cap
             WHEN acc.ramp_start_cap IS NULL OR acc.ramp_daily_increment IS NULL OR acc.ramp_target_cap IS NULL
                  OR acc.ramp_started_at IS NULL THEN acc.daily_invite_cap
             ELSE least(acc.daily_invite_cap, acc.ramp_target_cap,
                        acc.ramp_start_cap + acc.ramp_daily_increment
                          * greatest(0, p.day - (acc.ramp_started_at AT TIME ZONE acc.timezone)::date))
           END AS cap,
           l.used AS ledger_used, l.cap AS ledger_cap
    FROM per_day p
    JOIN linkedin_account acc ON acc.id = p.account_id
    LEFT JOIN rate_ledger l ON l.account_id = p.account_id AND l.day = p.day AND l.kind = p.kind) d
  WHERE d.sent > d.cap OR d.ledger_used > d.ledger_cap
  ORDER BY d.day, d.account_id`;

const OVER_WEEKLY_CAP = `
  WITH ${ACTIONS}, ${PER_DAY}
  SELECT p.account_id, (p.day - 6)::text AS first_day, p.day::text AS last_day, sum(w.sent)::int AS invites, acc.weekly_invite_cap AS cap
  FROM per_day p
  JOIN per_day w ON w.account_id = p.account_id AND w.kind = 'invite' AND w.day > p.day - 7 AND w.day <= p.day
  JOIN linkedin_account acc ON acc.id = p.account_id
  WHERE p.kind = 'invite'
  GROUP BY p.account_id, p.day, acc.weekly_invite_cap
  HAVING sum(w.sent) > acc.weekly_invite_cap
  ORDER BY p.day, p.account_id`;

const UNDER_MINIMUM_GAP = `
  WITH ${ACTIONS}
  SELECT account_id, previous_at, occurred_at, extract(epoch FROM occurred_at - previous_at) * 1000 AS gap_ms, lead_id, kind
  FROM (SELECT a.*, lag(a.occurred_at) OVER (PARTITION BY a.account_id ORDER BY a.occurred_at, a.event_id) AS previous_at FROM actions a) g
  WHERE previous_at IS NOT NULL AND occurred_at - previous_at < make_interval(secs => $1::float8 / 1000)
  ORDER BY occurred_at`;

// A step of a lead recorded twice (events or executions), or one person invited twice by one account.
const SENT_TWICE = `
  WITH ${ACTIONS}
  SELECT 'event' AS seen_in, lead_id::text AS subject, step_index, count(*)::int AS times
  FROM actions GROUP BY lead_id, step_index HAVING count(*) > 1
  UNION ALL
  SELECT 'step_execution', lead_id::text, step_index, count(*)::int
  FROM step_execution WHERE state = 'sent' GROUP BY lead_id, step_index HAVING count(*) > 1
  UNION ALL
  SELECT 'person', a.account_id || '/' || l.provider_id, NULL, count(*)::int
  FROM actions a JOIN lead l ON l.id = a.lead_id
  WHERE a.kind = 'invite' AND l.provider_id IS NOT NULL
  GROUP BY a.account_id, l.provider_id HAVING count(*) > 1`;

// Each send follows the lead's previous one in step order, after that step's delay (from when the
// lead was added, for the first); a MESSAGE right after the INVITE only once the acceptance was
// known; nothing after the lead's first reply was known.
const INCONSISTENT_HISTORY = `
  WITH ${ACTIONS},
  ordered AS (
    SELECT a.*, lag(a.step_index) OVER w AS previous_step, lag(a.occurred_at) OVER w AS previous_at,
           row_number() OVER w AS nth
    FROM actions a WINDOW w AS (PARTITION BY a.lead_id ORDER BY a.occurred_at, a.event_id)
  ),
  judged AS (
    SELECT o.lead_id, o.step_index, o.occurred_at, o.previous_step, o.previous_at, s.kind::text AS step_kind, s.delay_minutes,
           skipped.at AS skipped_invite_at, accepted.at AS accepted_at, replied.at AS replied_at,
           CASE
             WHEN s.id IS NULL THEN 'NO_SUCH_STEP'
             WHEN o.nth = 1 AND o.step_index <> CASE WHEN skipped.at IS NULL THEN 0 ELSE 1 END THEN 'FIRST_SEND_NOT_FIRST_STEP'
             WHEN o.nth > 1 AND o.step_index <> o.previous_step + 1 THEN 'OUT_OF_ORDER'
             WHEN o.occurred_at < coalesce(o.previous_at, skipped.at, l.created_at) + make_interval(mins => s.delay_minutes) THEN 'BEFORE_DELAY'
             WHEN s.kind = 'MESSAGE' AND o.step_index = 1 AND skipped.at IS NULL AND (accepted.at IS NULL OR accepted.at > o.occurred_at)
               THEN 'BEFORE_ACCEPTANCE'
             WHEN replied.at < o.occurred_at THEN 'AFTER_REPLY'
           END AS problem
    FROM ordered o
    JOIN lead l ON l.id = o.lead_id
    JOIN campaign c ON c.id = l.campaign_id
    LEFT JOIN sequence_step s ON s.campaign_id = l.campaign_id AND s.version = coalesce(l.sequence_version, c.sequence_version)
                             AND s.step_index = o.step_index
    LEFT JOIN LATERAL (SELECT min(e.occurred_at) AS at FROM lead_event e
                       WHERE e.lead_id = o.lead_id AND e.type = 'connection_accepted_historical' AND e.source = 'engine') skipped ON true
    LEFT JOIN LATERAL (SELECT min(e.detected_at) AS at FROM lead_event e
                       WHERE e.lead_id = o.lead_id AND e.type IN ('connection_accepted', 'connection_accepted_historical')) accepted ON true
    LEFT JOIN LATERAL (SELECT min(e.detected_at) AS at FROM lead_event e
                       WHERE e.lead_id = o.lead_id AND e.type = 'message_received') replied ON true
  )
  SELECT * FROM judged WHERE problem IS NOT NULL ORDER BY occurred_at`;

async function check(db: Queryable, sql: string, params: unknown[] = []): Promise<Check> {
  const rows: Array<Record<string, unknown> & { total: number }> = await db.query(
    `SELECT v.*, count(*) OVER ()::int AS total FROM (${sql}) v LIMIT ${EXAMPLES}`,
    params,
  );
  return { total: rows[0]?.total ?? 0, examples: rows.map(({ total: _total, ...row }) => row) };
}

/** Runs every check over the database; `minGapMs` is the engine's minimum spacing of one account's actions. */
export async function auditSimulation(db: Queryable, opts: { minGapMs: number }): Promise<SimulationAudit> {
  // Fresh statistics first: right after a run autovacuum has not seen the new rows, and on a
  // month-long run a plan for "1 row of lead_event" (nested loops over lead) took hours.
  await db.query(`ANALYZE lead_event, lead, step_execution, rate_ledger, linkedin_account`);
  const [{ n }]: Array<{ n: number }> = await db.query(
    `SELECT count(*)::int AS n FROM lead_event WHERE type IN ('connection_request_sent', 'message_sent')`,
  );
  return {
    actions: n,
    outsideWorkingHours: await check(db, OUTSIDE_WORKING_HOURS),
    overDailyCap: await check(db, OVER_DAILY_CAP),
    overWeeklyCap: await check(db, OVER_WEEKLY_CAP),
    underMinimumGap: await check(db, UNDER_MINIMUM_GAP, [opts.minGapMs]),
    sentTwice: await check(db, SENT_TWICE),
    inconsistentHistory: await check(db, INCONSISTENT_HISTORY),
  };
}

/** One line per check: `name: ok` or `name: N violation(s), e.g. {…}`. */
export function describeAudit(audit: SimulationAudit): string[] {
  return AUDIT_CHECKS.map((name) => {
    const { total, examples } = audit[name];
    return total === 0 ? `${name}: ok` : `${name}: ${total} violation(s), e.g. ${JSON.stringify(examples[0])}`;
  });
}
