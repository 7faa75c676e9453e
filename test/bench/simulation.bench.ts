import { seededRandom } from '../../src/core/random';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import { SimulationClock } from '../../src/modules/outreach/simulation/simulation-clock';
import { LoginDocument } from '../graphql/generated';
import { auditSimulation, AUDIT_CHECKS } from '../reliability/support/simulation-audit';
import { gqlOk } from '../support/graphql-client';
import { buildCampaignWorld, simulationRunner, type WorldAccount } from '../support/engine-harness';
import { BENCH_ADMIN, startBenchApp } from './support/bench-app';
import { recordResults } from './support/results';

// The whole engine on a virtual clock against the sandbox LinkedIn, at production scale: how fast
// 30 simulated days run, and whether caps, hours, pacing and sequences held (the reliability
// audit, over what the run left in the database). Env knobs run it smaller.
const int = (name: string, fallback: number) => Number.parseInt(process.env[name] ?? '', 10) || fallback;
const ACCOUNTS = int('BENCH_ACCOUNTS', 200);
const LEADS = int('BENCH_LEADS', 100_000);
const DAYS = int('BENCH_DAYS', 30);
/** Accounts whose due steps run side by side (the runner's lanes). */
const CONCURRENCY = int('BENCH_CONCURRENCY', 8);
const TARGET_S = 120;
const DAY = 86_400_000;
const START = '2026-03-02T00:00:00.000Z'; // a Monday; US (8 March) and EU (29 March) clocks change within 30 days
const ZONES = ['Europe/Paris', 'America/New_York', 'UTC', 'Asia/Tokyo', 'America/Los_Angeles'];
const ODDS = { accept: 0.3, reply: 0.1 };

/**
 * The simulation's throwaway database commits without waiting for the WAL flush: a crash could
 * lose the last commits of a run that is dropped anyway (simulateCampaign itself runs on an
 * in-memory PGlite). Every connection of the app gets it through the URL's `options`.
 */
function withoutCommitFsync(): void {
  const server = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  server.searchParams.set('options', '-c synchronous_commit=off');
  process.env.BENCH_DATABASE_URL = server.toString();
}

async function main(): Promise<void> {
  withoutCommitFsync();
  const clock = new SimulationClock(START);
  const bench = await startBenchApp({
    app: {
      role: 'api', // no Agenda timers: the runner drives the engine
      clock,
      executionScheduler: { scheduleExecution: async () => undefined },
      random: seededRandom(7),
      engine: { scanConcurrency: CONCURRENCY },
      sandbox: { clock, seed: 'simulation-bench', accounts: 0, profiles: 0, acceptance: { probability: ODDS.accept }, reply: { probability: ODDS.reply } },
    },
  });
  const db = bench.app.dataSource;
  try {
    const setupStarted = performance.now();
    const { login } = await gqlOk(bench.graphqlUrl, LoginDocument, BENCH_ADMIN);
    // Default caps, hours and days; only the time zones differ.
    const accounts: WorldAccount[] = Array.from({ length: ACCOUNTS }, (_, i) => ({ timezone: ZONES[i % ZONES.length] }));
    await buildCampaignWorld({ graphqlUrl: bench.graphqlUrl, token: login.token, sandbox: bench.app.sandbox! }, { accounts, leads: LEADS });
    await db.query('VACUUM ANALYZE');
    const [{ synchronous_commit: syncCommit }]: Array<{ synchronous_commit: string }> = await db.query('SHOW synchronous_commit');
    const setupS = (performance.now() - setupStarted) / 1000;

    const runner = simulationRunner(bench.app, clock, CONCURRENCY);
    const started = performance.now();
    await runner.runFor(DAYS * DAY);
    const wallS = (performance.now() - started) / 1000;

    const [steps]: Array<{ sent: number; executions: number }> = await db.query(
      `SELECT count(*) FILTER (WHERE state = 'sent')::int AS sent, count(*)::int AS executions FROM step_execution`,
    );
    const events: Array<{ type: string; n: number }> = await db.query(`SELECT type::text, count(*)::int AS n FROM lead_event GROUP BY type ORDER BY type`);
    const executions: Array<{ state: string; reason: string | null; n: number }> = await db.query(
      `SELECT state::text, last_error AS reason, count(*)::int AS n FROM step_execution WHERE state <> 'sent' GROUP BY 1, 2 ORDER BY 1, 3 DESC`,
    );
    const leads: Array<{ status: string; reason: string | null; n: number }> = await db.query(
      `SELECT status::text, status_reason AS reason, count(*)::int AS n FROM lead GROUP BY 1, 2 ORDER BY 1, 3 DESC`,
    );
    const auditStarted = performance.now();
    const audit = await auditSimulation(db, { minGapMs: DEFAULT_ENGINE_SETTINGS.minGapMs });
    const auditS = (performance.now() - auditStarted) / 1000;

    const count = (type: string) => events.find((e) => e.type === type)?.n ?? 0;
    const full = ACCOUNTS === 200 && LEADS === 100_000 && DAYS === 30;
    recordResults(
      'simulation',
      [
        '## Simulation (`npm run bench:simulation`)',
        '',
        `${ACCOUNTS} sender accounts (default caps, 09:00–17:00 Monday–Friday, time zones ${ZONES.join(', ')}), ${LEADS.toLocaleString('en')} leads in ${Math.ceil(ACCOUNTS / 50)} campaign(s) of up to 50 senders (the API's limit), the default 4-step sequence, ${DAYS} simulated days from ${START.slice(0, 10)} on the virtual clock; sandbox LinkedIn (acceptance ${ODDS.accept * 100} %, reply ${ODDS.reply * 100} %), local Postgres (fresh database, \`synchronous_commit = ${syncCommit}\`: a throwaway simulation database), runner concurrency ${CONCURRENCY}. Setup through the API (not timed): ${setupS.toFixed(1)} s.${full ? '' : ' **Reduced size** (BENCH_ACCOUNTS / BENCH_LEADS / BENCH_DAYS).'}`,
        '',
        '| wall time | target | steps sent | steps sent / s | executions | audit |',
        '|---|---|---|---|---|---|',
        `| ${wallS.toFixed(1)} s | ≤ ${TARGET_S} s ${wallS <= TARGET_S ? '✓' : '✗'} | ${steps.sent.toLocaleString('en')} | ${(steps.sent / wallS).toFixed(0)} | ${steps.executions.toLocaleString('en')} | ${auditS.toFixed(1)} s |`,
        '',
        `Invites ${count('connection_request_sent').toLocaleString('en')}, messages ${count('message_sent').toLocaleString('en')}, acceptances ${(count('connection_accepted') + count('connection_accepted_historical')).toLocaleString('en')}, replies ${count('message_received').toLocaleString('en')}.`,
        '',
        '| check | result |',
        '|---|---|',
        ...AUDIT_CHECKS.map((name) => `| ${name} | ${audit[name].total === 0 ? 'pass (0 violations)' : `**fail: ${audit[name].total} violations**, e.g. \`${JSON.stringify(audit[name].examples[0])}\``} |`),
        `| (sends audited) | ${audit.actions.toLocaleString('en')} |`,
        '',
        '| executions not sent: state | reason | count |',
        '|---|---|---|',
        ...executions.map((e) => `| ${e.state} | ${e.reason ?? '—'} | ${e.n.toLocaleString('en')} |`),
        '',
        '| leads at the end: status | reason | count |',
        '|---|---|---|',
        ...leads.map((l) => `| ${l.status} | ${l.reason ?? '—'} | ${l.n.toLocaleString('en')} |`),
      ].join('\n'),
    );
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
