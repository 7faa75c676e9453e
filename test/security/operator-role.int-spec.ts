import { Role } from '../../src/core/graphql/viewer';
import { SYNC_RUN_JOB } from '../../src/modules/sync/jobs/sync.jobs';
import { createSyncRun } from '../factories/sync-run.factory';
import {
  CreateWorkspaceDocument,
  EnsureWebhooksDocument,
  MeDocument,
  MigrationsStatusDocument,
  PauseSchedulerDocument,
  PauseWorkspaceSendingDocument,
  ResumeSchedulerDocument,
  ResumeWorkspaceSendingDocument,
  RunMigrationsDocument,
  SchedulerStatusDocument,
  SetOperatorDocument,
  WebhooksDocument,
} from '../graphql/generated';
import { type EngineTest, startEngineTest } from '../support/engine-harness';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { type TestApp, startTestApp } from '../support/test-app';
import { type Session, adminSession, newSession } from '../support/workspace';

const DAY = 86_400_000;

/** The admin of a second workspace, created by the operator as a tenant would be. */
async function tenantAdmin(t: TestApp, operator: Session, name: string): Promise<Session> {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}@tenant.example`;
  const { createWorkspace } = await gqlOk(
    t.graphqlUrl,
    CreateWorkspaceDocument,
    { input: { name, adminEmail: email, adminPassword: 'tenant-admin-passphrase' } },
    operator.token,
  );
  const token = await loginToken(t.graphqlUrl, email, 'tenant-admin-passphrase');
  return { token, workspaceId: createWorkspace.workspace.id, userId: createWorkspace.admin.id };
}

describe('instance operator: instance-wide controls are not every workspace admin’s', () => {
  let t: TestApp;
  let operator: Session;
  let tenant: Session;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await adminSession(t);
    tenant = await tenantAdmin(t, operator, 'Tenant B');
  });
  afterAll(() => t.stop());

  it('should make the first admin of an empty database the operator, and no admin created since', async () => {
    expect((await gqlOk(t.graphqlUrl, MeDocument, {}, operator.token)).me).toMatchObject({ role: 'ADMIN', operator: true });
    expect((await gqlOk(t.graphqlUrl, MeDocument, {}, tenant.token)).me).toMatchObject({ role: 'ADMIN', operator: false });
  });

  it('should refuse FORBIDDEN to the admin of a second workspace on every instance-wide operation, and change nothing', async () => {
    const attempts = {
      pauseScheduler: await gql(t.graphqlUrl, PauseSchedulerDocument, { reason: 'all tenants' }, tenant.token),
      resumeScheduler: await gql(t.graphqlUrl, ResumeSchedulerDocument, {}, tenant.token),
      migrationsStatus: await gql(t.graphqlUrl, MigrationsStatusDocument, {}, tenant.token),
      runMigrations: await gql(t.graphqlUrl, RunMigrationsDocument, {}, tenant.token),
      createWorkspace: await gql(
        t.graphqlUrl,
        CreateWorkspaceDocument,
        { input: { name: 'Tenant C', adminEmail: 'c@tenant.example', adminPassword: 'tenant-c-passphrase' } },
        tenant.token,
      ),
      webhooks: await gql(t.graphqlUrl, WebhooksDocument, {}, tenant.token),
      ensureWebhooks: await gql(t.graphqlUrl, EnsureWebhooksDocument, {}, tenant.token),
      setOperator: await gql(t.graphqlUrl, SetOperatorDocument, { userId: tenant.userId, operator: true }, tenant.token),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([op, res]) => [op, errorCode(res)]))).toEqual(
      Object.fromEntries(Object.keys(attempts).map((op) => [op, 'FORBIDDEN'])),
    );
    const [state] = await t.app.dataSource.query(`SELECT paused FROM scheduler_state WHERE id = 1`);
    expect(state.paused).toBe(false);
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM workspace WHERE name = 'Tenant C'`);
    expect(n).toBe(0);
  });

  it('should refuse the jobs dashboard to the admin of a second workspace, by bearer token and by session', async () => {
    const dash = `${t.baseUrl}/admin/jobs`;
    expect((await fetch(`${dash}/api`, { headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(403);
    expect((await fetch(`${dash}/session`, { method: 'POST', headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(403);
    expect((await fetch(`${dash}/api`, { headers: { authorization: `Bearer ${operator.token}` } })).status).toBe(200);
  });

  it("should show a workspace admin only their workspace's jobs and failures in schedulerStatus, and the operator everything", async () => {
    const syncRun = async (workspaceId: string): Promise<string> => (await createSyncRun(t.app.dataSource, workspaceId)).id;
    const failed = async (name: string, data: Record<string, unknown>, reason: string) => {
      // Left as a worker leaves a job that threw (the state a worker writes after a run).
      const job = await t.app.jobs.create(name, data).save();
      const at = new Date();
      await t.app.jobs.db.saveJobState({ ...job.attrs, failedAt: at, lastFinishedAt: at, nextRunAt: null, failReason: reason, failCount: 1 }, undefined);
    };
    await t.app.jobs.schedule('in 2 hours', SYNC_RUN_JOB, { runId: await syncRun(operator.workspaceId) });
    await t.app.jobs.schedule('in 2 hours', SYNC_RUN_JOB, { runId: await syncRun(tenant.workspaceId) });
    await failed(SYNC_RUN_JOB, { runId: await syncRun(operator.workspaceId) }, 'failure of workspace A');
    await failed(SYNC_RUN_JOB, { runId: await syncRun(tenant.workspaceId) }, 'failure of workspace B');
    await failed('outreach.scan', {}, 'instance-wide failure');
    await t.app.engine.scheduler.tick();

    const own = (await gqlOk(t.graphqlUrl, SchedulerStatusDocument, {}, tenant.token)).schedulerStatus;
    expect(own.jobs).toEqual([{ name: SYNC_RUN_JOB, queued: 0, scheduled: 1, running: 0, failed: 1 }]);
    expect(own.failures.map((f) => f.reason)).toEqual(['failure of workspace B']);
    expect(own.lastScanOutcome).toBeNull();
    expect(own.lastScanAt).not.toBeNull();

    const member = await newSession(t, { role: Role.MEMBER, workspaceId: tenant.workspaceId });
    const asMember = (await gqlOk(t.graphqlUrl, SchedulerStatusDocument, {}, member.token)).schedulerStatus;
    expect(asMember.jobs).toEqual(own.jobs);
    expect(asMember.failures).toEqual([]);

    const all = (await gqlOk(t.graphqlUrl, SchedulerStatusDocument, {}, operator.token)).schedulerStatus;
    expect(all.failures.map((f) => f.reason).sort()).toEqual(['failure of workspace A', 'failure of workspace B', 'instance-wide failure']);
    expect(all.jobs.find((j) => j.name === SYNC_RUN_JOB)).toMatchObject({ scheduled: 2, failed: 2 });
    expect(all.lastScanOutcome).toMatchObject({ paused: false });
  });

  it('should let only an operator grant operator, to an ADMIN of their own workspace', async () => {
    const colleague = await newSession(t, { role: Role.ADMIN, workspaceId: operator.workspaceId });
    expect(errorCode(await gql(t.graphqlUrl, SetOperatorDocument, { userId: tenant.userId, operator: true }, operator.token))).toBe('NOT_FOUND');
    const { setOperator } = await gqlOk(t.graphqlUrl, SetOperatorDocument, { userId: colleague.userId, operator: true }, operator.token);
    expect(setOperator).toMatchObject({ operator: true, role: 'ADMIN' });
    // Granting ends the colleague's sessions; signed in again, they are an operator.
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, colleague.token))).toBe('UNAUTHENTICATED');
  });
});

describe("a workspace admin's pause holds their own campaigns only", () => {
  let e: EngineTest;
  beforeAll(async () => {
    e = await startEngineTest();
  });
  afterAll(() => e.t.stop());

  it("should send nothing of the paused workspace (waiting reason WORKSPACE_PAUSED) while the other workspace sends, until it resumes", async () => {
    const tenant = await tenantAdmin(e.t, e.admin, 'Tenant paused');
    const always = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };
    const senderA = await e.account(always);
    const senderB = await e.account(always, tenant);
    const campaignB = await e.campaign({ senders: [senderB.id], leads: 2, steps: [{ kind: 'INVITE', delayMinutes: 0 }], as: tenant });
    // Already scanned: its steps are queued when the pause comes, and must not go out either.
    await e.t.app.engine.scheduler.tick();
    const [{ queued }] = await e.t.app.dataSource.query(`SELECT count(*)::int AS queued FROM step_execution WHERE campaign_id = $1 AND state = 'scheduled'`, [campaignB.id]);
    expect(queued).toBe(2);

    const { pauseWorkspaceSending } = await gqlOk(e.t.graphqlUrl, PauseWorkspaceSendingDocument, { reason: 'legal review' }, tenant.token);
    expect(pauseWorkspaceSending).toEqual({ paused: false, workspacePaused: true, workspacePausedReason: 'legal review' });
    await e.campaign({ senders: [senderA.id], leads: 2, steps: [{ kind: 'INVITE', delayMinutes: 0 }] });
    await e.runner.runFor(DAY);

    expect(e.t.app.sandbox!.sentInvitations(senderA.unipileAccountId)).toHaveLength(2);
    expect(e.t.app.sandbox!.sentInvitations(senderB.unipileAccountId)).toHaveLength(0);
    const waiting = await e.t.app.dataSource.query(`SELECT waiting_reason, next_action_at FROM lead WHERE campaign_id = $1`, [campaignB.id]);
    expect(waiting).toEqual(Array(2).fill({ waiting_reason: 'WORKSPACE_PAUSED', next_action_at: null }));
    // The operator's own workspace is not paused by it.
    expect((await gqlOk(e.t.graphqlUrl, SchedulerStatusDocument, {}, e.admin.token)).schedulerStatus.workspacePaused).toBe(false);

    await gqlOk(e.t.graphqlUrl, ResumeWorkspaceSendingDocument, {}, tenant.token);
    await e.runner.runFor(DAY);
    expect(e.t.app.sandbox!.sentInvitations(senderB.unipileAccountId)).toHaveLength(2);
  });

  it('should refuse the workspace pause to a member', async () => {
    const member = await newSession(e.t, { role: Role.MEMBER, workspaceId: e.admin.workspaceId });
    expect(errorCode(await gql(e.t.graphqlUrl, PauseWorkspaceSendingDocument, { reason: 'x' }, member.token))).toBe('FORBIDDEN');
  });
});
