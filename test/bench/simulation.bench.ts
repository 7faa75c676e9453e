import { seededRandom } from '../../src/core/random';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import { SimulationClock } from '../../src/modules/outreach/simulation/simulation-clock';
import { LoginDocument } from '../graphql/generated';
import { auditSimulation, AUDIT_CHECKS } from '../reliability/support/simulation-audit';
import { gqlOk } from '../support/graphql-client';
import { buildCampaignWorld, simulationRunner, type WorldAccount } from '../support/engine-harness';
import type { App } from '../../src/app';
import { inLanes } from '../../src/modules/outreach/lanes';
import { BENCH_ADMIN, startBenchApp } from './support/bench-app';
import { recordResults } from './support/results';
import { backendCpu, countRoundTrips, cpuBetween, processCpuMs } from './support/step-budget';

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

/** Synthetic sends measured for the floor. */
const FLOOR_STEPS = int('BENCH_FLOOR_STEPS', 2_000);
const FLOOR_BATCH = 500;

/**
 * The cheapest possible sent step, measured in the same run: the same Unipile calls an invite
 * makes (profile view, invitation) through the same client against the same sandbox, in as many
 * lanes as the runner, and the database writes a sent step needs (the execution, the lead, its two
 * events through the same triggers) in one transaction per 500, rolled back. No decisions, no
 * reads, no scan.
 */
async function measureFloor(app: App, lanes: number): Promise<{ httpMs: number; dbMs: number; steps: number }> {
  const sandbox = app.sandbox!;
  const db = app.dataSource;
  const perAccount = 50; // under the sandbox's daily invitation limit
  const targets = Array.from({ length: FLOOR_STEPS }, (_, i) => ({ account: i % Math.ceil(FLOOR_STEPS / perAccount), profile: sandbox.createProfile() }));
  const accounts = Array.from({ length: Math.ceil(FLOOR_STEPS / perAccount) }, () => sandbox.createAccount());
  const httpStarted = performance.now();
  await inLanes(targets, (t) => String(t.account), lanes, async ({ account, profile }) => {
    const unipileAccountId = accounts[account].id;
    const seen = await app.unipile.getProfile(unipileAccountId, { publicIdentifier: profile.publicIdentifier });
    await app.unipile.sendInvitation(unipileAccountId, { providerId: seen.provider_id });
  });
  const httpMs = performance.now() - httpStarted;

  const rows: Array<{ id: string; lead_id: string; workspace_id: string; campaign_id: string; account_id: string }> = await db.query(
    `SELECT id, lead_id, workspace_id, campaign_id, account_id FROM step_execution WHERE state = 'sent' ORDER BY id LIMIT $1`,
    [FLOOR_STEPS],
  );
  const dbStarted = performance.now();
  for (let first = 0; first < rows.length; first += FLOOR_BATCH) {
    const batch = rows.slice(first, first + FLOOR_BATCH);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const now = new Date().toISOString();
      await runner.query(`UPDATE step_execution SET state = 'sent', sent_at = $2, unipile_ref = 'floor' WHERE id = ANY($1::uuid[])`, [batch.map((r) => r.id), now]);
      await runner.query(
        `UPDATE lead SET status = 'invite_sent', last_step_sent_at = $2, next_step_index = 1, next_action_at = NULL WHERE id = ANY($1::uuid[])`,
        [batch.map((r) => r.lead_id), now],
      );
      await runner.query(
        `INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index, occurred_at, detected_at, source, reason, meta)
         SELECT v.workspace_id, v.campaign_id, v.lead_id, v.account_id, t.type::lead_event_type, 0, $6, $6, 'engine',
                CASE WHEN t.type = 'status_changed' THEN 'STEP_0_SENT' END,
                CASE WHEN t.type = 'status_changed' THEN '{"from": "pending_invite", "to": "invite_sent"}'::jsonb ELSE '{}'::jsonb END
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) AS v(lead_id, workspace_id, campaign_id, account_id)
         CROSS JOIN unnest($5::text[]) AS t(type)`,
        [batch.map((r) => r.lead_id), batch.map((r) => r.workspace_id), batch.map((r) => r.campaign_id), batch.map((r) => r.account_id), ['connection_request_sent', 'status_changed'], now],
      );
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }
  return { httpMs, dbMs: performance.now() - dbStarted, steps: Math.min(rows.length, targets.length) };
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
    const serverUrl = process.env.BENCH_DATABASE_URL!;
    const database = new URL((db.options as { url: string }).url).pathname.slice(1);
    const sandboxCallsBefore = bench.app.sandbox!.requests().length;
    const pgBefore = await backendCpu(serverUrl, database);
    const cpuBefore = process.cpuUsage();
    const trips = countRoundTrips();
    const started = performance.now();
    await runner.runFor(DAYS * DAY);
    const wallS = (performance.now() - started) / 1000;
    const roundTrips = trips.stop();
    const nodeCpuMs = processCpuMs(cpuBefore);
    const pgCpuMs = cpuBetween(pgBefore, await backendCpu(serverUrl, database));
    const sandboxCalls = bench.app.sandbox!.requests().length - sandboxCallsBefore;

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
    console.log(`run: ${wallS.toFixed(1)} s, ${steps.sent.toLocaleString('en')} steps sent; auditing…`);
    const auditStarted = performance.now();
    const audit = await auditSimulation(db, { minGapMs: DEFAULT_ENGINE_SETTINGS.minGapMs });
    const auditS = (performance.now() - auditStarted) / 1000;
    const floor = await measureFloor(bench.app, CONCURRENCY);

    const count = (type: string) => events.find((e) => e.type === type)?.n ?? 0;
    const full = ACCOUNTS === 200 && LEADS === 100_000 && DAYS === 30;
    const sent = Math.max(1, steps.sent);
    const perStep = (n: number, digits = 2) => (n / sent).toFixed(digits);
    const stepMs = (wallS * 1000) / sent;
    const floorMs = (floor.httpMs + floor.dbMs) / floor.steps;
    const deferred = count('step_deferred');
    recordResults(
      'simulation',
      [
        '## Simulation (`npm run bench:simulation`)',
        '',
        `${ACCOUNTS} sender accounts (default caps, 09:00–17:00 Monday–Friday, time zones ${ZONES.join(', ')}), ${LEADS.toLocaleString('en')} leads in ${Math.ceil(ACCOUNTS / 50)} campaign(s) of up to 50 senders (the API's limit), the default 4-step sequence, ${DAYS} simulated days from ${START.slice(0, 10)} on the virtual clock; sandbox LinkedIn (acceptance ${ODDS.accept * 100} %, reply ${ODDS.reply * 100} %), local Postgres (fresh database, \`synchronous_commit = ${syncCommit}\`: a throwaway simulation database), runner concurrency ${CONCURRENCY}. Setup through the API (not timed): ${setupS.toFixed(1)} s.${full ? '' : ' **Reduced size** (BENCH_ACCOUNTS / BENCH_LEADS / BENCH_DAYS).'}`,
        '',
        '| wall time | target | steps sent | steps sent / s | executions | audit |',
        '|---|---|---|---|---|---|',
        `| ${wallS.toFixed(1)} s | ${full ? `≤ ${TARGET_S} s ${wallS <= TARGET_S ? '✓' : '✗'}` : `— (≤ ${TARGET_S} s is for the full size)`} | ${steps.sent.toLocaleString('en')} | ${(steps.sent / wallS).toFixed(0)} | ${steps.executions.toLocaleString('en')} | ${auditS.toFixed(1)} s |`,
        '',
        'Per sent step (everything the run did, scans, acceptances and replies included, divided by the steps sent):',
        '',
        '| wall ms | database round trips | commits | Unipile (sandbox) HTTP calls | this process CPU ms (engine, client, sandbox) | Postgres backends CPU ms | step_deferred events |',
        '|---|---|---|---|---|---|---|',
        `| ${stepMs.toFixed(2)} | ${perStep(roundTrips.queries)} | ${perStep(roundTrips.commits)} | ${perStep(sandboxCalls)} | ${perStep(nodeCpuMs)} | ${perStep(pgCpuMs)} | ${perStep(deferred)} |`,
        '',
        `Floor (the cheapest possible step, measured after the run on the same database and sandbox: the same two Unipile calls of an invite through the same client, ${CONCURRENCY} lanes, and the step's writes — execution, lead, two events through the same triggers — batched ${FLOOR_BATCH} to a transaction and rolled back; ${floor.steps.toLocaleString('en')} steps): **${floorMs.toFixed(2)} ms per step** (HTTP ${(floor.httpMs / floor.steps).toFixed(2)} ms, database ${(floor.dbMs / floor.steps).toFixed(3)} ms), ${(1000 / floorMs).toFixed(0)} steps/s. **Ratio of the run to the floor: ${(stepMs / floorMs).toFixed(2)}×.**`,
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
        ...(executions.length === 0 ? ['| (none: every execution was sent) | | |'] : executions.map((e) => `| ${e.state} | ${e.reason ?? '—'} | ${e.n.toLocaleString('en')} |`)),
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
