import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { systemClock } from '../../src/core/clock';
import { AnalyticsRepository } from '../../src/modules/analytics/analytics.repository';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service';
import { Role } from '../../src/modules/auth/user.entity';
import type { Viewer } from '../../src/modules/auth/viewer';
import { seedAnalyticsDatabase } from './seed-analytics';
import { BENCH_ADMIN, call, startBenchApp } from './support/bench-app';
import { median, recordResults } from './support/results';

// Analytics at scale (test/bench/seed-analytics.ts: 50 campaigns, 1M leads, 10M events over 180
// days). For each query: GraphQL latency over HTTP (median, p95), the time Postgres needs for the
// same statements (EXPLAIN ANALYZE: planning + execution, summed over the statements the service
// runs), the same statements' wall time through node-postgres, and the plan of the main statement.

const WARMUP = 5;
const RUNS = 40;

type Statement = { sql: string; params: unknown[] };
type Case = {
  name: string;
  target: number;
  query: string;
  variables: Record<string, unknown>;
  /** The same call on the service, to capture its SQL. */
  service: (s: AnalyticsService, viewer: Viewer) => Promise<unknown>;
};

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

async function main(): Promise<void> {
  const databaseUrl = await seedAnalyticsDatabase({ reseed: process.argv.includes('--reseed') });
  const bench = await startBenchApp({ databaseUrl });
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { login } = await call<{ login: { token: string; user: { id: string; workspaceId: string } } }>(
      bench.graphqlUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { id workspaceId } } }',
      { e: BENCH_ADMIN.email, p: BENCH_ADMIN.password },
    );
    const viewer: Viewer = { userId: login.user.id, workspaceId: login.user.workspaceId, role: Role.ADMIN, email: BENCH_ADMIN.email, expiresAt: new Date(Date.now() + 3_600_000) };
    const facts = await pg.query<{ campaign: string; account: string; events: string; leads: string; campaign_events: string }>(
      `SELECT (SELECT id FROM campaign ORDER BY name LIMIT 1) AS campaign,
              (SELECT id FROM linkedin_account WHERE ramp_start_cap IS NOT NULL ORDER BY display_name LIMIT 1) AS account,
              (SELECT count(*) FROM lead_event) AS events, (SELECT count(*) FROM lead) AS leads,
              (SELECT count(*) FROM lead_event WHERE campaign_id = (SELECT id FROM campaign ORDER BY name LIMIT 1)) AS campaign_events`,
    );
    const { campaign, account } = facts.rows[0];
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    const replyFields = `repliedLeads fromFirstOutbound { leads medianSeconds p90Seconds meanSeconds } fromAcceptance { leads medianSeconds }
      byStep { stepIndex replies } byAccount { accountId messaged replied replyRate } byHour { hour replies } byWeekday { weekday replies }`;
    const dayFields = 'day invitesSent connectionsAccepted messagesSent repliesReceived';
    const cases: Case[] = [
      {
        name: 'campaignSummary (one campaign, 7-day window)',
        target: 50,
        query: `query($c: ID!) { campaignSummary(campaignId: $c) { totals { total responded } lastActivityAt last7Days { ${dayFields} }
          activity { invitesSent repliesReceived } leads { messaged replied } acceptanceRate replyRate replyCountLastNDays replyRateLastNDays } }`,
        variables: { c: campaign },
        service: (s, v) => s.campaignSummary(v, { campaignId: campaign, replyWindowDays: 7 }),
      },
      {
        name: 'campaignTimeseries (30 days, UTC)',
        target: 50,
        query: `query($c: ID!) { campaignTimeseries(campaignId: $c, days: 30) { days { ${dayFields} } } }`,
        variables: { c: campaign },
        service: (s, v) => s.campaignTimeseries(v, { campaignId: campaign, days: 30, timezone: 'UTC' }),
      },
      {
        name: 'campaignTimeseries (30 days, America/New_York)',
        target: 50,
        query: `query($c: ID!) { campaignTimeseries(campaignId: $c, days: 30, timezone: "America/New_York") { days { ${dayFields} } } }`,
        variables: { c: campaign },
        service: (s, v) => s.campaignTimeseries(v, { campaignId: campaign, days: 30, timezone: 'America/New_York' }),
      },
      {
        name: 'accountRateUsage (7 days)',
        target: 50,
        query: `query($a: ID!) { accountRateUsage(accountId: $a) { days { day invitesSent inviteCap messagesSent messageCap } invitesLast7Days nextEligibleAt } }`,
        variables: { a: account },
        service: (s, v) => s.accountRateUsage(v, { accountId: account, days: 7 }),
      },
      {
        name: 'automationStatus',
        target: 50,
        query: `query($c: ID!) { automationStatus(campaignId: $c) { counts { total responded messaged } } }`,
        variables: { c: campaign },
        service: (s, v) => s.automationStatus(v, campaign),
      },
      {
        name: 'replyAnalytics (one campaign, 30 days)',
        target: 200,
        query: `query($c: ID!, $f: String!, $t: String!) { replyAnalytics(campaignId: $c, from: $f, to: $t) { ${replyFields} } }`,
        variables: { c: campaign, f: monthAgo, t: today },
        service: (s, v) => s.replyAnalytics(v, { campaignId: campaign, from: monthAgo, to: today, timezone: 'UTC' }),
      },
      {
        name: 'replyAnalytics (whole workspace, 30 days, Europe/Paris)',
        target: 200,
        query: `query($f: String!, $t: String!) { replyAnalytics(from: $f, to: $t, timezone: "Europe/Paris") { ${replyFields} } }`,
        variables: { f: monthAgo, t: today },
        service: (s, v) => s.replyAnalytics(v, { from: monthAgo, to: today, timezone: 'Europe/Paris' }),
      },
    ];

    // A baseline: the cheapest authenticated operation (JWT check, user lookup, HTTP).
    const baseline = await timeGraphQL(bench.graphqlUrl, '{ me { id } }', {}, login.token);

    const rows: string[] = [];
    const plans: string[] = [];
    for (const c of cases) {
      const graphql = await timeGraphQL(bench.graphqlUrl, c.query, c.variables, login.token);
      const statements = await captureStatements(bench.app.dataSource, (s) => c.service(s, viewer));
      const sqlTimes: number[] = [];
      const wallTimes: number[] = [];
      for (let run = 0; run < WARMUP + RUNS; run++) {
        let total = 0;
        let wall = 0;
        for (const st of statements) {
          const explained = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params);
          const plan = (explained.rows[0]['QUERY PLAN'] as Array<{ 'Planning Time': number; 'Execution Time': number }>)[0];
          total += plan['Planning Time'] + plan['Execution Time'];
          const started = performance.now();
          await pg.query(st.sql, st.params);
          wall += performance.now() - started;
        }
        if (run >= WARMUP) {
          sqlTimes.push(total);
          wallTimes.push(wall);
        }
      }
      const sql = median(sqlTimes);
      const gqlMedian = median(graphql);
      rows.push(
        `| ${c.name} | ${ms(gqlMedian)} | ${ms(percentile(graphql, 95))} | ${ms(sql)} | ${ms(median(wallTimes))} | ${statements.length} | ${(gqlMedian / sql).toFixed(2)}× | ${ms(gqlMedian - median(wallTimes))} | ${gqlMedian <= c.target ? `≤ ${c.target} ✓` : `> ${c.target} ✗`} |`,
      );
      // The plan of the heaviest statement (the analytics aggregate, not the ownership lookup).
      const main = statements.reduce((a, b) => (b.sql.length > a.sql.length ? b : a));
      const text = await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${main.sql}`, main.params);
      plans.push(
        `<details><summary>${c.name}</summary>\n\n\`\`\`\n${text.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n</details>`,
      );
    }
    const write = await measureEventWrite(pg, campaign);
    recordResults(
      'analytics',
      [
        '## Analytics (`npm run bench:analytics`)',
        '',
        `Seeded workspace (\`test/bench/seed-analytics.ts\`, database \`outreach_bench_analytics\`): ${Number(facts.rows[0].leads).toLocaleString('en')} leads and ${Number(facts.rows[0].events).toLocaleString('en')} events over 180 days in 50 campaigns and 20 sender accounts; the measured campaign has ${Number(facts.rows[0].campaign_events).toLocaleString('en')} events. Local Postgres 15, default settings. ${RUNS} runs after ${WARMUP} warm-up runs; times in ms.`,
        '',
        '- **GraphQL**: the operation over HTTP with a bearer token, as a client sends it.',
        '- **SQL (EXPLAIN ANALYZE)**: planning + execution time Postgres reports for the statements the service runs for that operation (ownership lookup included), summed; **SQL wall**: the same statements through node-postgres.',
        `- Fixed cost of any authenticated operation (\`{ me { id } }\`: HTTP, JWT check, user lookup): median ${ms(median(baseline))} ms, p95 ${ms(percentile(baseline, 95))} ms.`,
        '',
        '| query | GraphQL median | GraphQL p95 | SQL (EXPLAIN ANALYZE) median | SQL wall median | statements | GraphQL / SQL | GraphQL − SQL wall | target (median) |',
        '|---|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
        `Keeping the rollups current: recording one reply event (a one-row \`INSERT\` in its own transaction, rolled back) takes ${ms(write.withTrigger)} ms median with the trigger, ${ms(write.withoutTrigger)} ms with the trigger disabled (${RUNS * 5} runs each).`,
        '',
        'Plans of the main statement of each query:',
        '',
        ...plans,
      ].join('\n'),
    );
  } finally {
    await pg.end();
    await bench.stop();
  }
}

/** One event insert with and without the rollup trigger, each in a transaction that is rolled back. */
async function measureEventWrite(pg: Client, campaignId: string): Promise<{ withTrigger: number; withoutTrigger: number }> {
  const { rows } = await pg.query<{ id: string; workspace_id: string; account_id: string }>(
    `SELECT id, workspace_id, account_id FROM lead WHERE campaign_id = $1 ORDER BY id LIMIT 1`,
    [campaignId],
  );
  const lead = rows[0];
  const insert = () =>
    pg.query(
      `INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, occurred_at, detected_at, source)
       VALUES ($1, $2, $3, $4, 'message_received', now(), now(), 'webhook')`,
      [lead.workspace_id, campaignId, lead.id, lead.account_id],
    );
  const time = async (disable: boolean): Promise<number> => {
    const times: number[] = [];
    for (let run = 0; run < WARMUP + RUNS * 5; run++) {
      await pg.query('BEGIN');
      if (disable) await pg.query('ALTER TABLE lead_event DISABLE TRIGGER analytics_record_events');
      const started = performance.now();
      await insert();
      if (run >= WARMUP) times.push(performance.now() - started);
      await pg.query('ROLLBACK');
    }
    return median(times);
  };
  return { withTrigger: await time(false), withoutTrigger: await time(true) };
}

async function timeGraphQL(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const started = performance.now();
    await call(url, query, variables, token);
    if (run >= WARMUP) times.push(performance.now() - started);
  }
  return times;
}

/** Runs a service call on a data source that records every statement it is given. */
async function captureStatements(dataSource: DataSource, run: (s: AnalyticsService) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const recorder = {
    query: (sql: string, params: unknown[] = []) => {
      statements.push({ sql, params });
      return dataSource.query(sql, params);
    },
  } as unknown as DataSource;
  await run(new AnalyticsService(new AnalyticsRepository(recorder), systemClock));
  return statements;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
