import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as Pg } from 'pg';
import { createAppDataSource } from '../../src/modules';
import { runPendingMigrations } from '../../src/core/db/migrate';
import { holdsWithin } from '../support/polling';
import { recordResults } from './support/results';
import { type Load, messageBodies, postLoad, seedAccount } from './support/webhook-load';
import { freePort, startFloor, startService, stopProcess, waitForReady } from './support/webhook-processes';

// Sustained webhook ingest: message_received bodies with unique message ids POSTed to a real API
// process (ROLE=api, production, LOG_LEVEL=warn), next to the floor measured in the same run on the
// same fresh migrated database: a bare node:http process storing each body through the service's
// own group insert (same statements, same batching), and nothing else.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SECONDS = 5;
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-webhook-secret-0123456789';
const ROUTE = '/api/webhooks/unipile/messaging';

type Run = { load: Load; storedAt200: number; processedAt200: number; answeredStored: number; extra: number };

async function main(): Promise<void> {
  const database = `outreach_bench_webhooks_${randomBytes(4).toString('hex')}`;
  step(`database ${database}`);
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-bench-webhooks-'));
  const pg = new Pg({ connectionString: url.toString() });
  try {
    const migrator = createAppDataSource(url.toString());
    await migrator.initialize();
    step('migrating');
    await runPendingMigrations(migrator);
    await migrator.destroy();
    await pg.connect();
    const account = await seedAccount(pg);
    const body = messageBodies(account.unipileAccountId, account.ownerProviderId);

    step('floor');
    const floorProcess = await startFloor(url.toString());
    const floor = await measure(pg, `${floorProcess.url}${ROUTE}`, {}, body).finally(() => stopProcess(floorProcess.child));

    step('service');
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123',
      UNIPILE_WEBHOOK_SECRET: SECRET,
      // Production against the sandbox, /metrics unscraped: both must be said to start (config.ts).
      ALLOW_SANDBOX_IN_PRODUCTION: 'true',
      METRICS_PUBLIC: 'true',
    };
    const port = await freePort();
    const service = startService(port, { ...env, ROLE: 'api' });
    let real: Run;
    let drainMs: number;
    try {
      await waitForReady(`http://127.0.0.1:${port}/readyz`, service);
      // The warm-up's last events may still be in the fast path when the table is emptied: the
      // TRUNCATE waits for a processing transaction in flight, and one that starts after it finds
      // its row gone and does nothing (WebhookProcessorService), so nothing needs to wait for them.
      real = await measure(pg, `http://127.0.0.1:${port}${ROUTE}`, { 'unipile-auth': SECRET }, body);
      // What the API left unprocessed is the job of a worker, as deployed: one starts now and drains it.
      step('draining with a worker');
      const workerPort = await freePort();
      const worker = startService(workerPort, { ...env, ROLE: 'worker' });
      try {
        const started = Date.now();
        const drained = await holdsWithin(async () => (await count(pg, 'webhook_event WHERE processed_at IS NULL')) === 0, 300_000);
        drainMs = drained ? Date.now() - started : Number.NaN;
      } finally {
        await stopProcess(worker);
      }
    } finally {
      await stopProcess(service);
    }
    report(floor, real, drainMs);
  } finally {
    await pg.end().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Warm-up, empty table, the measured run, then what the table holds the moment the last answer came. */
async function measure(pg: Pg, url: string, headers: Record<string, string>, body: () => string): Promise<Run> {
  const load = (seconds: number) => postLoad({ url, headers: { 'content-type': 'application/json', ...headers }, body, seconds, connections: CONNECTIONS });
  step(`warm-up ${url}`);
  await truncate(pg);
  const warm = await load(WARMUP_SECONDS);
  step(`warm-up: ${warm['2xx']} × 200, ${warm.non2xx} non-2xx, ${warm.errors} errors (${warm.timeouts} timeouts), p50 ${warm.latency.p50} ms, p99 ${warm.latency.p99} ms`);
  step('measuring');
  await truncate(pg);
  const result = await load(SECONDS);
  // One snapshot, so stored and processed rows are counted at the same instant.
  const { rows } = await pg.query<Record<'stored' | 'processed' | 'answered', string>>(
    `SELECT count(*) AS stored, count(processed_at) AS processed, count(*) FILTER (WHERE id = ANY($1::bigint[])) AS answered FROM webhook_event`,
    [result.answeredIds],
  );
  const [storedAt200, processedAt200, answeredStored] = (['stored', 'processed', 'answered'] as const).map((k) => Number(rows[0][k]));
  // Requests in flight when autocannon stopped may be stored without their answer being read.
  return { load: result, storedAt200, processedAt200, answeredStored, extra: storedAt200 - answeredStored };
}

function report(floor: Run, real: Run, drainMs: number): void {
  const ratio = real.load.perSecond / floor.load.perSecond;
  const row = (name: string, r: Run) =>
    `| ${name} | ${Math.round(r.load.perSecond).toLocaleString('en')} | ${r.load.latency.p50} | ${r.load.latency.p99} | ${r.load.non2xx} | ${r.load.errors} | ${r.load['2xx'].toLocaleString('en')} | ${r.answeredStored.toLocaleString('en')} | ${r.extra} |`;
  const check = (ok: boolean) => (ok ? '✓' : '✗');
  recordResults(
    'webhook-ingest',
    [
      '## Webhook ingest (`npm run bench:webhook-ingest`)',
      '',
      `\`POST ${ROUTE}\` with a ${Buffer.byteLength(messageBodies('a', 'b')())}-byte \`message_received\` body (the captured shape, a unique message id per request), ${CONNECTIONS} keep-alive connections for ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up (autocannon 8, in the benchmark process); each server in its own process, on one fresh migrated database of the local Postgres.`,
      '',
      '- **Service**: `src/main.ts` with `NODE_ENV=production`, `ROLE=api`, `LOG_LEVEL=warn`, `UNIPILE_WEBHOOK_SECRET` (sent in `Unipile-Auth`): secret check, validation, the idempotent insert (concurrent deliveries share one statement: group commit), then `200`; after the answer the same process processes up to 4 events at once (fast path) and leaves the rest of the burst, stored and unprocessed, to the drain job of a worker. The sender account exists and the sender is not a lead, so processing does its lookups and ends `NO_LEAD`.',
      "- **Floor**: bare `node:http` with a pool of 10 (as the app), `JSON.parse` for the message id, and the row stored through the service's own group insert (`WebhookIngestService` on node-postgres: the same `INSERT … ON CONFLICT (provider_key) DO NOTHING` shared by concurrent deliveries, the same bounds): no secret, no validation, no TypeORM, no processing, no metrics or logging.",
      '- **Stored**: every `eventId` of a `200` answer is looked up in `webhook_event` right after the run; "stored, unanswered" are rows of requests still in flight when the load stopped (their answer was never read).',
      '',
      '| server | 200/s | p50 ms | p99 ms | non-2xx | errors | 200 answers | answered and stored | stored, unanswered |',
      '|---|---|---|---|---|---|---|---|---|',
      row('floor (node:http, the same group insert)', floor),
      row('service (ROLE=api)', real),
      '',
      `Ratio to the floor: **${ratio.toFixed(2)}×** (target ≥ 0.7 ${check(ratio >= 0.7)}); service p99 **${real.load.latency.p99} ms** (target ≤ 50 ${check(real.load.latency.p99 <= 50)}); every 200 stored: ${check(real.answeredStored === real.load.answeredIds.length && real.load.answeredIds.length === real.load['2xx'])}.`,
      '',
      `Processing (not in the figures above): when the last answer came, ${real.processedAt200.toLocaleString('en')} of ${real.storedAt200.toLocaleString('en')} stored events were processed by the API's fast path; a \`ROLE=worker\` process started then ${Number.isNaN(drainMs) ? 'did not drain the rest within 300 s' : `drained the other ${(real.storedAt200 - real.processedAt200).toLocaleString('en')} in ${(drainMs / 1000).toFixed(1)} s (${Math.round(((real.storedAt200 - real.processedAt200) / drainMs) * 1000).toLocaleString('en')} events/s)`}.`,
    ].join('\n'),
  );
}

/** The job table exists once the service's Agenda has started (not for the floor). */
async function hasJobTable(pg: Pg): Promise<boolean> {
  return Boolean((await pg.query(`SELECT to_regclass('agenda_jobs') AS t`)).rows[0].t);
}

async function truncate(pg: Pg): Promise<void> {
  await pg.query(`TRUNCATE webhook_event${(await hasJobTable(pg)) ? ', agenda_jobs' : ''}`);
}

async function count(pg: Pg, from: string): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`);
  return Number(rows[0].n);
}

function step(what: string): void {
  process.stderr.write(`[webhook-ingest] ${what}\n`);
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
