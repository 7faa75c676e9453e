import { seededRandom } from '../../src/core/random';
import { eventually, holdsWithin, waitFor } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { ALWAYS, FINAL_STATUSES, THREE_STEPS, adminToken, audit, exactlyOnceProblems, openExecutions, setUpCampaign, statusCounts } from './support/process-campaign';
import { type ServiceBuild, type ServiceProcess, buildService, spawnService, stopService } from './support/process-service';

// Issue 11, crashes: a campaign runs on a real worker process (real Agenda, real time) that is
// SIGKILLed at 20 seeded random moments and started again each time. Afterwards the campaign has
// finished, nothing reached LinkedIn (the sandbox) twice or unrecorded, and the rate ledger
// equals the sent events. RELIABILITY_SEED=<n> replays a kill schedule.

const KILLS = 20;
const SEED = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 1_000_000_000));
const SEND_ROUTES = new Set(['/api/v1/users/invite', '/api/v1/chats', '/api/v1/chats/:chat_id/messages']);

type KillMode = 'anytime' | 'after-send' | 'mid-send';
type PlannedKill = { mode: KillMode; delayMs: number };

/**
 * The kill schedule, drawn up front so a seed always gives the same one:
 * - anytime: 0.2–3 s after the worker is ready, whatever it is doing;
 * - after-send: 0–20 ms after Unipile answered the worker's next send (it is recording it);
 * - mid-send: Unipile takes the next send and never answers (the worker waits on it).
 */
function killPlan(seed: number): PlannedKill[] {
  const random = seededRandom(seed);
  return Array.from({ length: KILLS }, () => {
    const r = random();
    const mode: KillMode = r < 0.4 ? 'anytime' : r < 0.7 ? 'after-send' : 'mid-send';
    return { mode, delayMs: mode === 'anytime' ? 200 + Math.floor(random() * 2_800) : Math.floor(random() * 20) };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a campaign whose worker is SIGKILLed 20 times', () => {
  let t: TestApp | undefined;
  let worker: ServiceProcess | undefined;
  let build: ServiceBuild;

  beforeAll(async () => {
    build = await buildService();
  });

  afterAll(async () => {
    if (worker) await stopService(worker, 'SIGKILL');
    await t?.stop();
    build?.remove();
  });

  it('should finish every lead with each step sent once, recorded once, and counted once', async () => {
    const plan = killPlan(SEED);
    console.log(`[crash] seed ${SEED} (RELIABILITY_SEED=${SEED} replays it); kills: ${plan.map((k) => `${k.mode}${k.mode === 'anytime' ? `+${k.delayMs}ms` : ''}`).join(', ')}`);
    t = await startTestApp(
      {},
      {
        sandbox: {
          seed: `crash-${SEED}`,
          profiles: 120,
          initialRelations: 0,
          acceptance: { probability: 1, delayMs: { min: 300, max: 2_500 } },
          reply: { probability: 0.3, delayMs: { min: 300, max: 2_500 } },
          webhooks: { retryDelaysMs: [500, 1_000, 2_000, 4_000, 8_000] },
          tickMs: 100,
        },
      },
    );
    const app = t;
    const sandbox = app.app.sandbox!;
    const query = <T,>(sql: string, params?: unknown[]) => app.app.dataSource.query(sql, params) as Promise<T[]>;
    // Acceptances and replies come back to this (API) process through the sandbox's webhooks.
    await app.app.webhooks.management.ensure();
    const token = await adminToken(app.graphqlUrl);
    const { campaignId } = await setUpCampaign(app.graphqlUrl, token, sandbox, {
      name: 'Crash campaign',
      accounts: 3,
      leads: 24,
      steps: THREE_STEPS,
      account: ALWAYS,
    });

    const start = (n: number) =>
      spawnService({
        build,
        name: `worker-${n}`,
        role: 'worker',
        databaseUrl: (app.app.dataSource.options as { url: string }).url,
        unipile: { url: sandbox.url, apiKey: sandbox.apiKey },
        // A lease well above the sandbox's latency; a long Unipile timeout keeps a mid-send worker waiting.
        env: { SEND_LEASE: '5s', UNIPILE_TIMEOUT: '120s', RECONCILE_INTERVAL: '10m' },
      });
    const sends = () => sandbox.requests({ method: 'POST' }).filter((r) => SEND_ROUTES.has(r.route) && r.status !== null).length;

    for (const [i, kill] of plan.entries()) {
      worker = start(i + 1);
      await waitFor(() => worker!.ready.then(() => true), 90_000, `worker ${i + 1} to start`);
      let note = '';
      if (kill.mode === 'anytime') {
        await sleep(kill.delayMs);
      } else if (kill.mode === 'after-send') {
        const before = sends();
        note = (await holdsWithin(() => sends() > before, 8_000, 5)) ? 'after a send' : 'no send within 8 s';
        await sleep(kill.delayMs);
      } else {
        const faultId = sandbox.faults.add({ kind: 'timeout', times: 1, match: { method: 'POST' } });
        const hung = await holdsWithin(() => !sandbox.faults.list().some((f) => f.id === faultId && f.hits === 0), 8_000, 5);
        sandbox.faults.remove(faultId);
        note = hung ? 'a send taken by Unipile, unanswered' : 'no send within 8 s';
      }
      const [{ sending }] = await query<{ sending: number }>(
        `SELECT count(*)::int AS sending FROM step_execution WHERE campaign_id = $1 AND state = 'sending'`,
        [campaignId],
      );
      await stopService(worker, 'SIGKILL');
      console.log(`[crash] kill ${i + 1}/${KILLS}: ${kill.mode}${note ? ` (${note})` : ''}, ${sending} execution(s) sending, statuses ${JSON.stringify(await statusCounts(query, campaignId))}`);
    }

    // The last worker runs the campaign to its end.
    worker = start(KILLS + 1);
    await waitFor(() => worker!.ready.then(() => true), 90_000, 'the last worker to start');
    await eventually(
      async () => {
        const counts = await statusCounts(query, campaignId);
        const unfinished = Object.entries(counts).filter(([status]) => !FINAL_STATUSES.includes(status));
        expect(unfinished).toEqual([]);
        expect(await openExecutions(query, campaignId)).toBe(0);
        expect(sandbox.pendingEvents()).toEqual([]);
      },
      150_000,
      500,
    );
    await sandbox.settle();

    const result = await eventually(
      async () => {
        const a = await audit(query, sandbox, campaignId);
        expect(exactlyOnceProblems(a)).toEqual([]);
        return a;
      },
      30_000,
      500,
    );
    console.log(
      `[crash] seed ${SEED}: ${JSON.stringify(await statusCounts(query, campaignId))}; ` +
        `${result.reconciled} step(s) recorded by reconciliation; ledger ${JSON.stringify(result.ledger.map((r) => `${r.kind} ${r.used}`))}`,
    );
    // Every lead started; a completed one has all three steps, an answered one at least its first message.
    for (const lead of result.leads) {
      expect({ lead: lead.id, started: lead.sentSteps.length > 0 }).toEqual({ lead: lead.id, started: true });
      if (lead.status === 'completed') expect({ lead: lead.id, steps: lead.sentSteps }).toEqual({ lead: lead.id, steps: [0, 1, 2] });
      else expect({ lead: lead.id, replied: lead.replyEvents.length > 0, messaged: lead.sentSteps.length >= 2 }).toEqual({ lead: lead.id, replied: true, messaged: true });
    }
    expect(result.leads).toHaveLength(24);
    expect(result.ledger.reduce((s, r) => s + r.used, 0)).toBe(result.leads.reduce((s, l) => s + l.sentSteps.length, 0));
  });
});
