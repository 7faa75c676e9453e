import { AddLeadsDocument, CreateCampaignDocument, SchedulerStatusDocument, SetCampaignStatusDocument, UpdateAccountDocument } from '../graphql/generated';
import { Role } from '../../src/core/graphql/viewer';
import { linkSandboxAccount } from '../factories/account.factory';
import { gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';
import { spawnWorker, stopProcess } from '../support/worker-process';
import { waitFor } from '../support/polling';

const ALWAYS = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };

async function inviteCampaign(t: TestApp, admin: Session, leads: number) {
  const account = await linkSandboxAccount(t, admin.token);
  await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: ALWAYS }, admin.token);
  const { createCampaign } = await gqlOk(
    t.graphqlUrl,
    CreateCampaignDocument,
    { input: { name: `jobs ${account.id}`, senderAccountIds: [account.id], steps: [{ kind: 'INVITE', delayMinutes: 0 }] } },
    admin.token,
  );
  const people = t.app.sandbox!.prospects().slice(0, leads);
  await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: people.map((p) => ({ providerId: p.providerId })) }, admin.token);
  await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: createCampaign.id, status: 'ACTIVE' }, admin.token);
  return { account, campaignId: createCampaign.id };
}

// The same engine code whichever job store holds the jobs.
const mongoUrl = process.env.OUTREACH_TEST_MONGODB;
const stores: Array<[string, Record<string, string>]> = [['postgres', {}]];
if (mongoUrl) stores.push(['mongodb', { MONGODB_URL: mongoUrl }]);

describe.each(stores)('sequence engine on Agenda jobs (%s job store)', (_store, env) => {
  it('should scan and send through the scheduled jobs in real time', async () => {
    const t = await startTestApp({ ...env, SCAN_INTERVAL: '1s', MIN_ACTION_GAP: '1s', ACTION_JITTER: '1s' }, { role: 'all' });
    try {
      const admin = await adminSession(t);
      const { account, campaignId } = await inviteCampaign(t, admin, 2);
      await waitFor(() => t.app.sandbox!.sentInvitations(account.unipileAccountId).length === 2 || undefined, 20_000, 'two invitations');
      await waitFor(
        async () =>
          (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM lead WHERE campaign_id = $1 AND status = 'completed'`, [campaignId]))[0].n === 2 ||
          undefined,
        10_000,
        'leads completed',
      );
    } finally {
      await t.stop();
    }
  }, 60_000);
});

describe('a worker killed in the middle of a send', () => {
  it('should leave the step to the next worker, which records it without sending twice', async () => {
    const t = await startTestApp();
    const workers: Array<ReturnType<typeof spawnWorker>> = [];
    try {
      const admin = await adminSession(t);
      const { account, campaignId } = await inviteCampaign(t, admin, 1);
      // Unipile takes the invitation, then never answers: the worker is stuck right after the send.
      t.app.sandbox!.faults.add({ kind: 'timeout', times: 1, match: { method: 'POST', route: '/api/v1/users/invite', accountId: account.unipileAccountId } });

      const first = spawnWorker(t, { UNIPILE_TIMEOUT: '10m', SEND_LEASE: '2s' });
      workers.push(first);
      await waitFor(() => t.app.sandbox!.sentInvitations(account.unipileAccountId).length === 1 || undefined, 60_000, 'the invitation to reach Unipile');
      await stopProcess(first, 'SIGKILL');
      const [stuck] = await t.app.dataSource.query(`SELECT state FROM step_execution WHERE campaign_id = $1`, [campaignId]);
      expect(stuck.state).toBe('sending');

      const second = spawnWorker(t, { SEND_LEASE: '2s' });
      workers.push(second);
      const execution = await waitFor(
        async () => {
          const [row] = await t.app.dataSource.query(`SELECT state, attempts FROM step_execution WHERE campaign_id = $1`, [campaignId]);
          return row.state === 'sent' ? row : undefined;
        },
        60_000,
        'the second worker to finish the step',
      );
      expect(execution.attempts).toBe(2);
      expect(t.app.sandbox!.sentInvitations(account.unipileAccountId)).toHaveLength(1);
      const events = await t.app.dataSource.query(
        `SELECT meta FROM lead_event WHERE campaign_id = $1 AND type = 'connection_request_sent'`,
        [campaignId],
      );
      expect(events).toHaveLength(1);
      expect(events[0].meta.unipile_result.found_by).toBe('reconciled');
      const [lead] = await t.app.dataSource.query(`SELECT status FROM lead WHERE campaign_id = $1`, [campaignId]);
      expect(lead.status).toBe('completed');
    } finally {
      for (const w of workers) await stopProcess(w, 'SIGKILL');
      await t.stop();
    }
  }, 150_000);
});

describe('job failures in schedulerStatus', () => {
  it('should show the last error of a failed job to admins, and nothing of it to members', async () => {
    const t = await startTestApp({}, { role: 'all' });
    try {
      const admin = await adminSession(t);
      const member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
      t.app.jobs.define('test.always-fails', async () => {
        throw new Error('boom for the status page');
      });
      await t.app.jobs.now('test.always-fails', { marker: 1 });
      const failure = await waitFor(async () => {
        const { schedulerStatus } = await gqlOk(t.graphqlUrl, SchedulerStatusDocument, {}, admin.token);
        return schedulerStatus.failures.find((f) => f.name === 'test.always-fails');
      }, 15_000, 'the failure to show');
      expect(failure.reason).toBe('boom for the status page');
      const { schedulerStatus } = await gqlOk(t.graphqlUrl, SchedulerStatusDocument, {}, member.token);
      expect(schedulerStatus.failures).toEqual([]);
    } finally {
      await t.stop();
    }
  }, 60_000);
});
