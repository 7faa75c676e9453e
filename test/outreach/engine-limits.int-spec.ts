import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/core/db/data-source';
import { ENTITIES } from '../../src/modules';
import { createOutreachEngine } from '../../src/modules/outreach/outreach-engine';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import { EngineAccountsRepository } from '../../src/modules/outreach/engine-accounts.repository';
import { StepExecutionRepository } from '../../src/modules/outreach/step-execution.repository';
import { UpdateAccountDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { type EngineTest, startEngineTest } from '../support/engine-harness';

const DAY = 86_400_000;
const INVITE_ONLY = [{ kind: 'INVITE' as const, delayMinutes: 0 }];
const invitesPerLocalDay = (e: EngineTest, unipileAccountId: string, zone: string) => {
  const perDay = new Map<string, number>();
  for (const i of e.t.app.sandbox!.sentInvitations(unipileAccountId)) {
    const day = DateTime.fromISO(i.sentAt, { zone }).toISODate()!;
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  return perDay;
};

describe('sequence engine: caps, warm-up and working hours', () => {
  let e: EngineTest;
  beforeAll(async () => {
    e = await startEngineTest({ sandbox: { acceptance: { probability: 0 } } });
  });
  afterAll(() => e.t.stop());

  it('should never exceed the daily cap with two workers executing the same steps at once', async () => {
    const account = await e.account();
    await e.campaign({ senders: [account.id], leads: 40, steps: INVITE_ONLY });
    e.clock.set('2026-01-05T09:00:00.000Z');
    await e.t.app.engine.scheduler.tick();
    const db = e.t.app.dataSource;
    const scheduled: Array<{ id: string; scheduled_for: Date }> = await db.query(
      `SELECT id, scheduled_for FROM step_execution WHERE account_id = $1 ORDER BY scheduled_for`,
      [account.id],
    );
    expect(scheduled).toHaveLength(25);
    // The cap drops to 10 while 25 steps are queued: the ledger, not the scan, must hold the line.
    await gqlOk(e.t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: { dailyInviteCap: 10 } }, e.admin.token);
    e.clock.set(scheduled[scheduled.length - 1].scheduled_for);

    const second = new DataSource(dataSourceOptions((db.options as { url: string }).url, { entities: ENTITIES }));
    await second.initialize();
    try {
      const other = createOutreachEngine({
        dataSource: second,
        clock: e.clock,
        settings: DEFAULT_ENGINE_SETTINGS,
        unipile: e.t.app.unipile,
        agenda: e.t.app.jobs,
        log: e.t.app.log,
        executionScheduler: { scheduleExecution: async () => undefined },
      });
      const ids = scheduled.map((s) => s.id);
      await Promise.all([...ids.map((id) => e.t.app.engine.executor.execute(id)), ...ids.map((id) => other.executor.execute(id))]);
    } finally {
      await second.destroy();
    }
    const invites = e.t.app.sandbox!.sentInvitations(account.unipileAccountId);
    expect(invites).toHaveLength(10);
    expect(new Set(invites.map((i) => i.toProviderId)).size).toBe(10);
    const [ledger] = await db.query(`SELECT used, cap FROM rate_ledger WHERE account_id = $1 AND kind = 'invite'`, [account.id]);
    expect(ledger).toEqual({ used: 10, cap: 10 });
    const states = await db.query(
      `SELECT state, last_error, count(*)::int AS n FROM step_execution WHERE account_id = $1 GROUP BY state, last_error ORDER BY state`,
      [account.id],
    );
    expect(states).toEqual([
      { state: 'sent', last_error: null, n: 10 },
      { state: 'skipped', last_error: 'DAILY_CAP_REACHED', n: 15 },
    ]);
  });

  it("should not block transactions that reference a sender account while a claim holds the account's lock", async () => {
    const account = await e.account();
    await e.campaign({ senders: [account.id], leads: 2, steps: INVITE_ONLY });
    e.clock.set('2026-01-06T09:00:00.000Z');
    await e.t.app.engine.scheduler.tick();
    const [execution]: Array<{ id: string }> = await e.t.app.dataSource.query(`SELECT id FROM step_execution WHERE account_id = $1 LIMIT 1`, [account.id]);
    const claim = e.t.app.dataSource.createQueryRunner();
    const other = e.t.app.dataSource.createQueryRunner();
    try {
      await claim.startTransaction();
      // The two account locks a claim takes (see ExecuteStepService.claim).
      await new EngineAccountsRepository(claim.manager).lockAccountsOfExecutions([execution.id]);
      await new StepExecutionRepository(claim.manager).lockWithRows([execution.id]);
      await other.startTransaction();
      await other.query(`SET LOCAL lock_timeout = '2s'`);
      // Deliberate SQL: the key-share lock every foreign-key check on the account takes (a lead
      // updated twice in one transaction, a campaign_sender insert). A FOR UPDATE claim blocked it,
      // and a recording transaction waiting so while holding an execution the claim wanted deadlocked.
      const shared = await other.query(`SELECT id FROM linkedin_account WHERE id = $1 FOR KEY SHARE`, [account.id]);
      expect(shared).toEqual([{ id: account.id }]);
      // Claims still exclude each other.
      await expect(other.query(`SELECT id FROM linkedin_account WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [account.id])).rejects.toThrow(/could not obtain lock/);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await claim.rollbackTransaction();
      await Promise.all([other.release(), claim.release()]);
    }
  });

  it('should hold invites to the rolling weekly cap and say so', async () => {
    e.clock.set('2026-01-12T08:00:00.000Z');
    const account = await e.account({ dailyInviteCap: 25, weeklyInviteCap: 30 });
    const { id } = await e.campaign({ senders: [account.id], leads: 40, steps: INVITE_ONLY });
    await e.runner.runUntil(new Date('2026-01-14T10:00:00.000Z')); // inside Wednesday's hours
    expect(e.t.app.sandbox!.sentInvitations(account.unipileAccountId)).toHaveLength(30);
    const waiting = await e.t.app.dataSource.query(
      `SELECT waiting_reason, count(*)::int AS n FROM lead WHERE campaign_id = $1 AND status = 'pending_invite' GROUP BY waiting_reason`,
      [id],
    );
    expect(waiting).toEqual([{ waiting_reason: 'WEEKLY_CAP_REACHED', n: 10 }]);
  });

  it('should ramp the daily invite cap up during warm-up', async () => {
    e.clock.set('2026-01-19T08:00:00.000Z'); // a Monday
    const account = await e.account({ warmup: { startCap: 3, dailyIncrement: 2, targetCap: 9 } });
    const { id } = await e.campaign({ senders: [account.id], leads: 40, steps: INVITE_ONLY });
    await e.runner.runFor(5 * DAY);
    const perDay = invitesPerLocalDay(e, account.unipileAccountId, 'UTC');
    expect([...perDay.entries()].sort()).toEqual([
      ['2026-01-19', 3],
      ['2026-01-20', 5],
      ['2026-01-21', 7],
      ['2026-01-22', 9],
      ['2026-01-23', 9],
    ]);
    const [{ n }] = await e.t.app.dataSource.query(
      `SELECT count(*)::int AS n FROM lead_event WHERE campaign_id = $1 AND type = 'step_deferred' AND reason = 'RAMP_LIMIT'`,
      [id],
    );
    expect(n).toBeGreaterThan(0);
  });

  it("should send only inside the account's local hours, across a daylight-saving change", async () => {
    e.clock.set('2026-03-05T00:00:00.000Z'); // Thursday; New York moves to UTC-4 on Sunday 8 March
    const zone = 'America/New_York';
    const account = await e.account({ timezone: zone, dailyInviteCap: 5 });
    await e.campaign({ senders: [account.id], leads: 20, steps: INVITE_ONLY });
    await e.runner.runFor(8 * DAY);
    const invites = e.t.app.sandbox!.sentInvitations(account.unipileAccountId);
    expect(invites).toHaveLength(20);
    for (const i of invites) {
      const local = DateTime.fromISO(i.sentAt, { zone });
      expect(local.weekday).toBeLessThanOrEqual(5);
      expect(local.hour * 60 + local.minute).toBeGreaterThanOrEqual(9 * 60);
      expect(local.hour).toBeLessThan(17);
    }
    const firstUtcHour = (day: string) =>
      Math.min(...invites.filter((i) => DateTime.fromISO(i.sentAt, { zone }).toISODate() === day).map((i) => new Date(i.sentAt).getUTCHours()));
    expect(firstUtcHour('2026-03-06')).toBe(14); // 09:xx EST
    expect(firstUtcHour('2026-03-09')).toBe(13); // 09:xx EDT
    expect([...invitesPerLocalDay(e, account.unipileAccountId, zone).values()]).toEqual([5, 5, 5, 5]);
  });
});
