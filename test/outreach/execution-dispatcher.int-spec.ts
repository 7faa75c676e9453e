import { createLogger } from '../../src/core/logger';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import { EngineRepositories } from '../../src/modules/outreach/engine-repositories';
import { ExecuteStepService } from '../../src/modules/outreach/execute-step.service';
import { ExecutionDispatcher } from '../../src/modules/outreach/execution-dispatcher';
import { StepSender } from '../../src/modules/outreach/step-sender';
import { UnipileMessenger } from '../../src/modules/unipile/unipile-messenger';
import { waitFor } from '../support/polling';
import { type EngineTest, startEngineTest } from '../support/engine-harness';

const ALWAYS = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };

/**
 * Workers take due executions from the step_execution table in batches (SKIP LOCKED): several at
 * once share the work, never the same execution, and each step reaches LinkedIn once.
 */
describe('execution dispatcher', () => {
  let e: EngineTest;
  beforeAll(async () => {
    e = await startEngineTest();
  });
  afterAll(() => e.t.stop());

  it('should let two workers send every due step once between them, each taking its own batches', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => e.account(ALWAYS)));
    const campaign = await e.campaign({ senders: accounts.map((a) => a.id), leads: 40, steps: [{ kind: 'INVITE', delayMinutes: 0 }] });
    await e.t.app.engine.scheduler.tick();
    const open = async () =>
      (await e.t.app.dataSource.query(`SELECT count(*)::int AS n FROM step_execution WHERE campaign_id = $1 AND state <> 'sent'`, [campaign.id]))[0].n as number;
    expect(await open()).toBe(40);
    e.clock.advance(24 * 3_600_000); // every execution is due

    const log = createLogger('silent');
    const settings = { ...DEFAULT_ENGINE_SETTINGS, minGapMs: 60_000, jitterMs: 30_000 };
    const noWakeups = { scheduleExecution: async () => undefined };
    const executorB = new ExecuteStepService(
      e.t.app.dataSource,
      e.clock,
      settings,
      new StepSender(e.t.app.unipile, new UnipileMessenger(e.t.app.unipile)),
      noWakeups,
      log,
      'worker-b',
      EngineRepositories.on(e.t.app.dataSource.manager),
    );
    const tuning = { batch: 3, lanes: 2, inFlight: 1, idleMs: 50 };
    const workers = [new ExecutionDispatcher(e.t.app.engine.executor, e.clock, log, tuning), new ExecutionDispatcher(executorB, e.clock, log, tuning)];
    for (const w of workers) w.start();
    try {
      await waitFor(async () => (await open()) === 0 || undefined, 60_000, 'every step sent');
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    const invited = campaign.providerIds.map((id) => e.t.app.sandbox!.sentInvitations().filter((i) => i.toProviderId === id).length);
    expect(invited).toEqual(campaign.providerIds.map(() => 1));
    const byWorker: Array<{ worker_id: string; n: number; attempts: number }> = await e.t.app.dataSource.query(
      `SELECT worker_id, count(*)::int AS n, max(attempts)::int AS attempts FROM step_execution WHERE campaign_id = $1 GROUP BY worker_id ORDER BY worker_id`,
      [campaign.id],
    );
    expect(byWorker.map((w) => w.worker_id).sort()).toEqual([expect.stringMatching(/:\d+$/), 'worker-b'].sort());
    expect(byWorker.reduce((sum, w) => sum + w.n, 0)).toBe(40);
    expect(byWorker.every((w) => w.attempts === 1)).toBe(true);
  }, 90_000);
});
