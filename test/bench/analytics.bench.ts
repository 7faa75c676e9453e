import Fastify, { type FastifyInstance } from 'fastify';
import { Client, Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { systemClock } from '../../src/core/clock';
import { AnalyticsRepository } from '../../src/modules/analytics/analytics.repository';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service';
import { Role } from '../../src/core/graphql/viewer';
import type { Viewer } from '../../src/core/graphql/viewer';
import { seedAnalyticsDatabase } from './seed-analytics';
import { analyticsCases, lastThirtyDays } from './support/analytics-cases';
import { BENCH_ADMIN, call, startBenchApp } from './support/bench-app';
import { median, recordResults } from './support/results';

// Analytics at scale (test/bench/seed-analytics.ts: 50 campaigns, 1M leads, 10M events over 180
// days). For each query: GraphQL latency over HTTP (median, p95), the time Postgres needs for the
// same statements (EXPLAIN ANALYZE: planning + execution, summed over the statements the service
// runs), the same statements' wall time through node-postgres, the floor of any HTTP API (the
// same statements behind a bare Fastify route, no GraphQL, no auth, those the service runs at once
// run at once there too), and the plan of the main statement. The four are measured in turn within
// each run, so machine noise hits them alike.

const WARMUP = 10;
const RUNS = 100;

type Statement = { sql: string; params: unknown[] };
/** Statements the service has in flight together (Promise.all): run together by the floor and the wall timing too. */
type Round = Statement[];

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
  const wallPool = new Pool({ connectionString: databaseUrl, max: 10 });
  const floor = await startFloor(databaseUrl);
  try {
    const { login } = await call<{ login: { token: string; user: { id: string; workspaceId: string } } }>(
      bench.graphqlUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { id workspaceId } } }',
      { e: BENCH_ADMIN.email, p: BENCH_ADMIN.password },
    );
    const viewer: Viewer = { userId: login.user.id, workspaceId: login.user.workspaceId, role: Role.ADMIN, operator: true, email: BENCH_ADMIN.email, expiresAt: new Date(Date.now() + 3_600_000), tokenVersion: 1, userTokenVersion: 1 };
    const facts = await pg.query<{ campaign: string; account: string; events: string; leads: string; campaign_events: string }>(
      `SELECT (SELECT id FROM campaign ORDER BY name LIMIT 1) AS campaign,
              (SELECT id FROM linkedin_account WHERE ramp_start_cap IS NOT NULL ORDER BY display_name LIMIT 1) AS account,
              (SELECT count(*) FROM lead_event) AS events, (SELECT count(*) FROM lead) AS leads,
              (SELECT count(*) FROM lead_event WHERE campaign_id = (SELECT id FROM campaign ORDER BY name LIMIT 1)) AS campaign_events`,
    );
    const { campaign, account } = facts.rows[0];
    const { today, monthAgo } = lastThirtyDays();
    const cases = analyticsCases({ campaign, account, from: monthAgo, to: today });

    // Baselines: the cheapest authenticated operation (HTTP, JWT check, user lookup: two
    // statements), the same without a resolver, and a bare route answering `{}` (HTTP alone).
    const fixed = await timeInTurn({
      me: () => call(bench.graphqlUrl, '{ me { id } }', {}, login.token),
      typename: () => call(bench.graphqlUrl, '{ __typename }', {}, login.token),
      http: () => post(`${floor.url}/empty`, {}),
    });

    const rows: string[] = [];
    const plans: string[] = [];
    for (const [index, c] of cases.entries()) {
      const rounds = await captureStatements(bench.app.dataSource, (s) => c.service(s, viewer));
      const statements = rounds.flat();
      floor.rounds.set(index, rounds);
      const times = await timeInTurn({
        graphql: () => call(bench.graphqlUrl, c.query, c.variables, login.token),
        floor: () => post(`${floor.url}/sql/${index}`, {}),
        wall: () => runRounds(wallPool, rounds),
        explained: async () => {
          let total = 0;
          for (const st of statements) {
            const explained = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params);
            const plan = (explained.rows[0]['QUERY PLAN'] as Array<{ 'Planning Time': number; 'Execution Time': number }>)[0];
            total += plan['Planning Time'] + plan['Execution Time'];
          }
          return total;
        },
      });
      const sql = median(times.explained);
      const gqlMedian = median(times.graphql);
      const floorMedian = median(times.floor);
      rows.push(
        `| ${c.name} | ${ms(gqlMedian)} | ${ms(percentile(times.graphql, 95))} | ${ms(sql)} | ${ms(median(times.wall))} | ${ms(floorMedian)} | ${statements.length} | ${ratio(gqlMedian, sql)} | ${ratio(floorMedian, sql)} | ${ratio(gqlMedian, floorMedian)} | ${ms(gqlMedian - floorMedian)} | ${gqlMedian <= c.target ? `≤ ${c.target} ✓` : `> ${c.target} ✗`} |`,
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
        '- **GraphQL**: the operation over HTTP with a bearer token, as a client sends it (Node `fetch`, keep-alive, client in the same process).',
        '- **SQL (EXPLAIN ANALYZE)**: planning + execution time Postgres reports for the statements the service runs for that operation (ownership check included), summed (statements the service runs at once are summed too); **SQL wall**: the same statements through node-postgres, those the service runs at once (`replyAnalytics`: four) at once on a pool of 10, as the app.',
        '- **Floor (HTTP + SQL)**: the same statements behind a bare Fastify route of the same process (node-postgres pool of 10, as the app; statements the service runs at once run at once; no GraphQL, no auth, rows returned as JSON), called the same way: what any HTTP API serving this SQL costs at least. It leaves out the token check (one statement, in the fixed costs below).',
        `- Fixed costs (medians, p95 in brackets): a bare route answering \`{}\` ${ms(median(fixed.http))} ms (${ms(percentile(fixed.http, 95))}); \`{ __typename }\` with a token (HTTP, GraphQL, JWT check and token-version lookup) ${ms(median(fixed.typename))} ms (${ms(percentile(fixed.typename, 95))}); \`{ me { id } }\` (the same plus the user's row) ${ms(median(fixed.me))} ms (${ms(percentile(fixed.me, 95))}).`,
        '',
        '| query | GraphQL median | GraphQL p95 | SQL (EXPLAIN ANALYZE) median | SQL wall median | floor (HTTP + SQL) median | statements | GraphQL / SQL | floor / SQL | GraphQL / floor | GraphQL − floor | target (median) |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|',
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
    await floor.stop();
    await wallPool.end();
    await pg.end();
    await bench.stop();
  }
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/**
 * The floor: a bare Fastify app (no logger, hooks, GraphQL or auth) whose /sql/:case route runs
 * that case's statements on a node-postgres pool of 10 (the app's size), round by round as the
 * service does, and returns the rows of all of them.
 */
async function startFloor(databaseUrl: string): Promise<{ url: string; rounds: Map<number, Round[]>; stop(): Promise<void> }> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const rounds = new Map<number, Round[]>();
  const app: FastifyInstance = Fastify();
  app.post('/empty', async () => ({}));
  app.post<{ Params: { case: string } }>('/sql/:case', (request) => runRounds(pool, rounds.get(Number(request.params.case)) ?? []));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    rounds,
    async stop() {
      await app.close();
      await pool.end();
    },
  };
}

/** A POST with a JSON body and a JSON answer, made like `call` (so the floor pays the client's costs too). */
async function post(url: string, body: object): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/**
 * Runs each subject once per run, in turn, WARMUP + RUNS times; returns each one's times after the
 * warm-up (its wall time, or the number it returns, like an EXPLAIN's own timing).
 */
async function timeInTurn<K extends string>(subjects: Record<K, () => Promise<unknown>>): Promise<Record<K, number[]>> {
  const entries = Object.entries(subjects) as Array<[K, () => Promise<unknown>]>;
  const times = Object.fromEntries(entries.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let run = 0; run < WARMUP + RUNS; run++) {
    for (const [name, subject] of entries) {
      const started = performance.now();
      const result = await subject();
      const elapsed = typeof result === 'number' ? result : performance.now() - started;
      if (run >= WARMUP) times[name].push(elapsed);
    }
  }
  return times;
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

/** Runs each round's statements at once, the rounds one after the other; the rows of every statement. */
async function runRounds(pool: Pool, rounds: Round[]): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (const round of rounds) rows.push(...(await Promise.all(round.map(async (st) => (await pool.query(st.sql, st.params)).rows))));
  return rows;
}

/**
 * Runs a service call on a data source that records every statement it is given, in rounds: a
 * statement issued while another is still running joins that one's round (the service awaits
 * them together), one issued when none is running starts the next round.
 */
async function captureStatements(dataSource: DataSource, run: (s: AnalyticsService) => Promise<unknown>): Promise<Round[]> {
  const rounds: Round[] = [];
  let running = 0;
  const recorder = {
    query: async (sql: string, params: unknown[] = []) => {
      if (running === 0) rounds.push([]);
      rounds[rounds.length - 1].push({ sql, params });
      running += 1;
      try {
        return await dataSource.query(sql, params);
      } finally {
        running -= 1;
      }
    },
  } as unknown as EntityManager;
  await run(new AnalyticsService(new AnalyticsRepository(recorder), systemClock));
  return rounds;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
