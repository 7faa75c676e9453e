import { DUE_LEADS_SQL } from '../../src/modules/outreach/scan.repository';
import { insertLeadVolume } from '../factories/lead.factory';
import { PauseSchedulerDocument, ResumeSchedulerDocument, SchedulerStatusDocument } from '../graphql/generated';
import { newSession } from '../support/workspace';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type EngineTest, startEngineTest } from '../support/engine-harness';
import { Role } from '../../src/core/graphql/viewer';

const DAY = 86_400_000;

describe('sequence engine: replies, control and cost', () => {
  let e: EngineTest;
  beforeAll(async () => {
    e = await startEngineTest({ sandbox: { reply: { probability: 1, delayMs: { min: 3_600_000, max: 3_600_000 } } } });
  });
  afterAll(() => e.t.stop());

  it('should stop a sequence when the lead replies', async () => {
    const account = await e.account();
    const { id, providerIds } = await e.campaign({ senders: [account.id], leads: 3 });
    await e.runner.runFor(20 * DAY);
    const sent = e.t.app.sandbox!.messages({ accountId: account.unipileAccountId, direction: 'outbound' });
    // One message each: everyone answers the first message within the hour, so no follow-up goes out.
    for (const providerId of providerIds) expect(sent.filter((m) => m.counterpartProviderId === providerId)).toHaveLength(1);
    const leads = await e.t.app.dataSource.query(
      `SELECT status, status_reason, next_action_at, first_reply_at IS NOT NULL AS replied, last_step_before_reply FROM lead WHERE campaign_id = $1`,
      [id],
    );
    expect(leads).toEqual(Array(3).fill({ status: 'responded', status_reason: 'REPLIED', next_action_at: null, replied: true, last_step_before_reply: 1 }));
    const [{ n }] = await e.t.app.dataSource.query(`SELECT count(*)::int AS n FROM lead_event WHERE campaign_id = $1 AND type = 'message_received'`, [id]);
    expect(n).toBe(3);
  });

  it('should select due leads through the partial index, whatever the number of leads', async () => {
    const account = await e.account();
    const { id: campaignId } = await e.campaign({ senders: [account.id], leads: 1 });
    const db = e.t.app.dataSource;
    // 20,000 more leads of the account, none of them due.
    await insertLeadVolume(db, { workspaceId: e.admin.workspaceId, campaignId, accountId: account.id, count: 20_000, from: new Date('2027-01-01T00:00:00Z') });
    await db.query('ANALYZE lead');
    const plan: Array<{ 'QUERY PLAN': string }> = await db.query(`EXPLAIN ${DUE_LEADS_SQL}`, [account.id, e.clock.now(), 'INVITE', 500]);
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using "?IDX_lead_due"? on lead/);
    expect(text).not.toMatch(/Seq Scan on lead/);
  });

  it('should report its state, and let only an admin pause and resume sending', async () => {
    await e.t.app.engine.scheduler.tick();
    const { schedulerStatus } = await gqlOk(e.t.graphqlUrl, SchedulerStatusDocument, {}, e.admin.token);
    expect(schedulerStatus).toMatchObject({ paused: false, role: 'api', workerRunning: false, jobStore: 'postgres' });
    expect(schedulerStatus.lastScanAt).toBe(e.clock.now().toISOString());
    expect(schedulerStatus.lastScanOutcome).toMatchObject({ paused: false });
    expect(schedulerStatus.accounts.length).toBeGreaterThan(0);

    const member = await newSession(e.t, { role: Role.MEMBER, workspaceId: e.admin.workspaceId });
    expect(errorCode(await gql(e.t.graphqlUrl, PauseSchedulerDocument, { reason: 'x' }, member.token))).toBe('FORBIDDEN');

    const { pauseScheduler } = await gqlOk(e.t.graphqlUrl, PauseSchedulerDocument, { reason: 'holiday' }, e.admin.token);
    expect(pauseScheduler).toEqual({ paused: true, pausedReason: 'holiday' });
    const account = await e.account({ workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] });
    await e.campaign({ senders: [account.id], leads: 2, steps: [{ kind: 'INVITE', delayMinutes: 0 }] });
    await e.runner.runFor(DAY);
    expect(e.t.app.sandbox!.sentInvitations(account.unipileAccountId)).toHaveLength(0);

    await gqlOk(e.t.graphqlUrl, ResumeSchedulerDocument, {}, e.admin.token);
    await e.runner.runFor(DAY);
    expect(e.t.app.sandbox!.sentInvitations(account.unipileAccountId)).toHaveLength(2);
  });
});
