import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as Pg } from 'pg';
import { holdsWithin } from '../support/polling';
import { seedAnalytics } from './seed-analytics';
import { analyticsCases, lastThirtyDays } from './support/analytics-cases';
import { BENCH_ADMIN, call } from './support/bench-app';
import { median, recordResults } from './support/results';
import { type Load, messageBodies, postLoad, seedAccount } from './support/webhook-load';
import { freePort, startService, stopProcess, waitForReady } from './support/webhook-processes';

// What the embedded default (`npm start`: PGlite under DATA_DIR) costs next to the local Postgres,
// measured in one run with the same service, load and data: sustained webhook ingest, then every
// analytics query over a seeded workspace. Each mode runs the service as `npm start` does
// (src/main.ts, ROLE=all: the API and the job worker in one process).
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LEADS = Number(process.env.BENCH_LEADS ?? 20_000);
const WARMUP_SECONDS = 3;
const RUNS = 30;
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-webhook-secret-0123456789';
const ROUTE = '/api/webhooks/unipile/messaging';

type Mode = 'postgres' | 'embedded';
type Ingest = { load: Load; answeredStored: number; drainMs: number; backlog: number };
type Timing = { median: number; p95: number };
type Result = { ingest: Ingest; seedMs: number; queries: Array<{ name: string } & Timing> };

async function main(): Promise<void> {
  const results = {} as Record<Mode, Result>;
  for (const mode of ['postgres', 'embedded'] as const) results[mode] = await runMode(mode);
  report(results);
}

async function runMode(mode: Mode): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), `outreach-bench-${mode}-`));
  const database = `outreach_bench_embedded_${randomBytes(4).toString('hex')}`;
  const serverUrl = new URL(SERVER);
  serverUrl.pathname = `/${database}`;
  if (mode === 'postgres') await admin(`CREATE DATABASE ${database}`);
  const port = await freePort();
  const service = startService(port, {
    NODE_ENV: 'test',
    ROLE: 'all',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ...(mode === 'postgres' ? { DATABASE_URL: serverUrl.toString() } : {}),
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123',
    ADMIN_EMAIL: 'owner@bench.example',
    ADMIN_PASSWORD: 'bench-owner-password-0123',
    UNIPILE_WEBHOOK_SECRET: SECRET,
    // The seeded campaigns are for reading: the engine and the poller leave them alone.
    SCAN_INTERVAL: '24h',
    RECONCILE_INTERVAL: '24h',
  });
  // The same database the service uses: the server's, or the embedded one through its socket.
  const pg = new Pg({ connectionString: mode === 'postgres' ? serverUrl.toString() : `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dataDir)}` });
  try {
    step(mode, 'starting the service');
    await waitForReady(`http://127.0.0.1:${port}/readyz`, service);
    await pg.connect();
    const ingest = await measureIngest(mode, pg, `http://127.0.0.1:${port}${ROUTE}`);
    step(mode, `seeding ${LEADS.toLocaleString('en')} leads`);
    const seedStarted = performance.now();
    await seedAnalytics(pg, LEADS, (line) => step(mode, line));
    const seedMs = performance.now() - seedStarted;
    const queries = await timeQueries(mode, pg, `http://127.0.0.1:${port}/graphql`);
    return { ingest, seedMs, queries };
  } finally {
    await pg.end().catch(() => undefined);
    await stopProcess(service);
    if (mode === 'postgres') await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureIngest(mode: Mode, pg: Pg, url: string): Promise<Ingest> {
  const account = await seedAccount(pg);
  const body = messageBodies(account.unipileAccountId, account.ownerProviderId);
  const load = (seconds: number) => postLoad({ url, headers: { 'content-type': 'application/json', 'unipile-auth': SECRET }, body, seconds, connections: CONNECTIONS });
  step(mode, 'webhook warm-up');
  await load(WARMUP_SECONDS);
  await holdsWithin(async () => (await count(pg, 'webhook_event WHERE processed_at IS NULL')) === 0, 120_000);
  await pg.query(`TRUNCATE webhook_event`);
  step(mode, `webhook load, ${CONNECTIONS} connections for ${SECONDS} s`);
  const result = await load(SECONDS);
  const { rows } = await pg.query<{ answered: string; backlog: string }>(
    `SELECT count(*) FILTER (WHERE id = ANY($1::bigint[])) AS answered, count(*) FILTER (WHERE processed_at IS NULL) AS backlog FROM webhook_event`,
    [result.answeredIds],
  );
  // The same process works off what it left unprocessed (fast path, then its drain job).
  const started = Date.now();
  const drained = await holdsWithin(async () => (await count(pg, 'webhook_event WHERE processed_at IS NULL')) === 0, 600_000);
  return { load: result, answeredStored: Number(rows[0].answered), backlog: Number(rows[0].backlog), drainMs: drained ? Date.now() - started : Number.NaN };
}

async function timeQueries(mode: Mode, pg: Pg, graphqlUrl: string): Promise<Result['queries']> {
  const { rows } = await pg.query<{ campaign: string; account: string }>(
    `SELECT (SELECT id FROM campaign ORDER BY name LIMIT 1) AS campaign,
            (SELECT id FROM linkedin_account WHERE ramp_start_cap IS NOT NULL ORDER BY display_name LIMIT 1) AS account`,
  );
  const { today, monthAgo } = lastThirtyDays();
  const { login } = await call<{ login: { token: string } }>(graphqlUrl, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: BENCH_ADMIN.email,
    p: BENCH_ADMIN.password,
  });
  const timings = [];
  for (const c of analyticsCases({ ...rows[0], from: monthAgo, to: today })) {
    step(mode, c.name);
    const times: number[] = [];
    for (let i = 0; i < 5 + RUNS; i++) {
      const started = performance.now();
      await call(graphqlUrl, c.query, c.variables, login.token);
      if (i >= 5) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    timings.push({ name: c.name, median: median(times), p95: times[Math.ceil(0.95 * times.length) - 1] });
  }
  return timings;
}

function report(r: Record<Mode, Result>): void {
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const ingestRow = (mode: Mode) => {
    const { load, answeredStored, backlog, drainMs } = r[mode].ingest;
    const processed = Number.isNaN(drainMs) ? 'not within 600 s' : `${(drainMs / 1000).toFixed(1)} s (${backlog ? Math.round((backlog / Math.max(drainMs, 1)) * 1000).toLocaleString('en') : '–'}/s)`;
    return `| ${mode} | ${Math.round(load.perSecond).toLocaleString('en')} | ${load.latency.p50} | ${load.latency.p99} | ${load.non2xx} | ${load.errors} | ${load['2xx'].toLocaleString('en')} | ${answeredStored.toLocaleString('en')} | ${backlog.toLocaleString('en')} | ${processed} |`;
  };
  const queryRows = r.postgres.queries.map((q, i) => {
    const e = r.embedded.queries[i];
    return `| ${q.name} | ${ms(q.median)} / ${ms(q.p95)} | ${ms(e.median)} / ${ms(e.p95)} | ${(e.median / q.median).toFixed(1)}× |`;
  });
  recordResults(
    'embedded',
    [
      '## Embedded default vs local Postgres (`npm run bench:embedded`)',
      '',
      `The service as \`npm start\` runs it (\`src/main.ts\`, \`ROLE=all\`, \`LOG_LEVEL=warn\`), once on the local Postgres 15 (\`DATABASE_URL\`) and once on its embedded default (PGlite under \`DATA_DIR\`, served to the app's pools on a unix socket, one transaction at a time: \`src/core/db/pglite-server.ts\`), one after the other in one run, each on a fresh migrated database.`,
      '',
      `**Webhook ingest**: \`POST ${ROUTE}\` with a captured \`message_received\` body (unique message id per request) on ${CONNECTIONS} keep-alive connections for ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up; then the time the same process takes to process what it left unprocessed (the backlog at the last answer).`,
      '',
      '| database | 200/s | p50 ms | p99 ms | non-2xx | errors | 200 answers | answered and stored | backlog | backlog processed in |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ingestRow('postgres'),
      ingestRow('embedded'),
      '',
      `**Analytics**: the generated workspace of \`bench:analytics\` at ${LEADS.toLocaleString('en')} leads and ${(LEADS * 10).toLocaleString('en')} events (seeded in ${(r.postgres.seedMs / 1000).toFixed(1)} s on Postgres, ${(r.embedded.seedMs / 1000).toFixed(1)} s embedded), each query through GraphQL ${RUNS} times after 5 warm-ups, one at a time; median / p95 in ms.`,
      '',
      '| query | Postgres | embedded | embedded / Postgres (median) |',
      '|---|---|---|---|',
      ...queryRows,
    ].join('\n'),
  );
}

async function count(pg: Pg, from: string): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`);
  return Number(rows[0].n);
}

function step(mode: Mode, what: string): void {
  process.stderr.write(`[embedded-bench ${mode}] ${what}\n`);
}

async function admin(sql: string): Promise<void> {
  const client = new Pg({ connectionString: SERVER });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
