import { Client } from 'pg';
import { LoginDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { buildService, spawnService, stopService, type ServiceProcess } from '../reliability/support/process-service';
import { activateCampaign, ALWAYS, setUpCampaign } from '../reliability/support/process-campaign';
import { BENCH_ADMIN, startBenchApp } from './support/bench-app';
import { recordResults } from './support/results';
import { backendCpu, cpuBetween } from './support/step-budget';

// The production shape: real time, WORKERS worker processes (ROLE=worker, the scan as an Agenda job, each worker's dispatcher claiming due executions in batches, the
// compiled service) on one Postgres database, against the sandbox over HTTP (in this process, with
// the API used for the setup). Senders work all day with the minimum gap and jitter at 0 and caps
// at their maximum, so the engine sends as fast as it can: steps per second sustained over the
// window, and the CPU of the Postgres backends serving the database per step (/proc).
const int = (name: string, fallback: number) => Number.parseInt(process.env[name] ?? '', 10) || fallback;
const WORKERS = int('BENCH_WORKERS', 3);
const ACCOUNTS = int('BENCH_ACCOUNTS', 50); // one campaign's most
const LEADS_PER_ACCOUNT = 200; // the API's highest daily invite cap
const SECONDS = int('BENCH_SECONDS', 60);

async function main(): Promise<void> {
  const bench = await startBenchApp({
    app: {
      role: 'api',
      sandbox: {
        seed: 'engine-throughput',
        profiles: ACCOUNTS * LEADS_PER_ACCOUNT,
        initialRelations: 0,
        acceptance: { probability: 0 },
        reply: { probability: 0 },
        limits: { invitesPerDay: 10_000, invitesPerWeek: 100_000, profileViewsPerDay: 100_000 },
      },
    },
  });
  const build = await buildService();
  const workers: ServiceProcess[] = [];
  const db = bench.app.dataSource;
  const databaseUrl = (db.options as { url: string }).url;
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = new URL(databaseUrl).pathname.slice(1);
  try {
    const { login } = await gqlOk(bench.graphqlUrl, LoginDocument, BENCH_ADMIN);
    const sandbox = bench.app.sandbox!;
    const { campaignId } = await setUpCampaign(bench.graphqlUrl, login.token, sandbox, {
      name: 'Throughput',
      accounts: ACCOUNTS,
      leads: ACCOUNTS * LEADS_PER_ACCOUNT,
      steps: [{ kind: 'INVITE', delayMinutes: 0 }],
      account: { ...ALWAYS, dailyInviteCap: 200, weeklyInviteCap: 1_000 },
      activate: false,
    });
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        spawnService({
          build,
          name: `throughput-worker-${i + 1}`,
          role: 'worker',
          databaseUrl,
          unipile: { url: sandbox.url, apiKey: sandbox.apiKey },
          env: { MIN_ACTION_GAP: '0s', ACTION_JITTER: '0s', SCAN_INTERVAL: '1s', LOG_LEVEL: 'error' },
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));
    await activateCampaign(bench.graphqlUrl, login.token, campaignId);

    const sent = async () => (await db.query(`SELECT count(*)::int AS n FROM step_execution WHERE state = 'sent'`))[0].n as number;
    // The window starts with the first send (the first scan and job pickup are not throughput).
    while ((await sent()) === 0) await new Promise((r) => setTimeout(r, 100));
    const sentBefore = await sent();
    const cpuBefore = await backendCpu(serverUrl, database);
    const started = performance.now();
    const total = ACCOUNTS * LEADS_PER_ACCOUNT;
    let sentAfter = sentBefore;
    while (performance.now() - started < SECONDS * 1000 && sentAfter < total) {
      await new Promise((r) => setTimeout(r, 500));
      sentAfter = await sent();
    }
    const seconds = (performance.now() - started) / 1000;
    const pgCpuMs = cpuBetween(cpuBefore, await backendCpu(serverUrl, database));
    const steps = sentAfter - sentBefore;
    const sandboxInvites = sandbox.sentInvitations().length;

    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    const [{ twice }] = (await admin.query(`SELECT count(*)::int AS twice FROM (SELECT lead_id FROM step_execution WHERE state = 'sent' GROUP BY lead_id HAVING count(*) > 1) x`)).rows;
    await admin.end();

    recordResults(
      'engine-throughput',
      [
        '## Engine throughput, production shape (`npm run bench:engine-throughput`)',
        '',
        `${WORKERS} worker processes (\`ROLE=worker\`, the compiled service, the recurring scan on the Postgres job store, each worker's dispatcher claiming due steps in batches with SKIP LOCKED, real time) on one database of the local Postgres, against the sandbox over HTTP (in the benchmark process, which also serves the API for the setup). ${ACCOUNTS} senders working all day, caps at the API's maximum (200 invites a day), \`MIN_ACTION_GAP=0s\`, \`ACTION_JITTER=0s\`, \`SCAN_INTERVAL=1s\`; ${total.toLocaleString('en')} leads, a one-step (invite) sequence. Measured from the first send for ${SECONDS} s (or until every lead was invited).`,
        '',
        '| window | steps sent | steps / s | Postgres backends CPU per step | invitations at the sandbox | a lead sent twice |',
        '|---|---|---|---|---|---|',
        `| ${seconds.toFixed(1)} s | ${steps.toLocaleString('en')} | ${(steps / seconds).toFixed(1)} | ${(pgCpuMs / Math.max(1, steps)).toFixed(2)} ms | ${sandboxInvites.toLocaleString('en')} | ${twice} |`,
      ].join('\n'),
    );
  } finally {
    for (const w of workers) await stopService(w, 'SIGTERM');
    build.remove();
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
