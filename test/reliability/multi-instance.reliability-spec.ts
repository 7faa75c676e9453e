import { hostname } from 'node:os';
import type { Client } from 'graphql-ws';
import { SCAN_JOB } from '../../src/modules/outreach/jobs/outreach.jobs';
import { EnsureWebhooksDocument, ReplyReceivedDocument, type ReplyReceivedSubscription } from '../graphql/generated';
import { gqlOk, takeSubscription, wsClient } from '../support/graphql-client';
import { metricValue, waitForSubscriptions } from '../support/metrics';
import { eventually, waitFor } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { activateCampaign, adminToken, audit, exactlyOnceProblems, openExecutions, setUpCampaign, statusCounts } from './support/process-campaign';
import { type ServiceBuild, type ServiceProcess, buildService, spawnService, stopService } from './support/process-service';

// Issue 11, several instances: three processes on one database. A is this test's app (ROLE=api,
// it also hosts the sandbox), B a spawned ROLE=all (API and jobs), C a spawned ROLE=worker. B and
// C both run the engine on the same accounts; the sandbox's webhooks go to B only; graphql-ws
// subscribers on A and on B must each see every reply. Small daily caps bind: exactly the cap goes
// out per account and kind, nothing is sent twice.
//
// Which process takes a due step is a race (Agenda's polls and wake-ups), and a run where one
// engine wins them all would prove nothing about two engines. So the campaign starts with C's
// jobs paused until B has sent a step, then B's paused until C has sent one; from then on both
// race for the same accounts' steps. Each execution records the process that sent it
// (step_execution.worker_id, host:pid).

const INVITE_CAP = 4;
const MESSAGE_CAP = 3;
const ACCOUNTS = 2;
const LEADS = 12;

describe('three instances on one database', () => {
  let a: TestApp | undefined;
  let build: ServiceBuild;
  const processes: ServiceProcess[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    build = await buildService();
  });

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    for (const p of processes) await stopService(p);
    await a?.stop();
    build?.remove();
  });

  it('should send each step once, hold the daily caps, and bring every reply to subscribers of every API instance', async () => {
    a = await startTestApp(
      {},
      {
        sandbox: {
          seed: 'multi-instance',
          profiles: 60,
          initialRelations: 0,
          acceptance: { probability: 1, delayMs: { min: 200, max: 1_500 } },
          reply: { probability: 1, delayMs: { min: 200, max: 1_500 } },
          webhooks: { retryDelaysMs: [500, 1_000, 2_000, 4_000, 8_000] },
          tickMs: 100,
        },
      },
    );
    const app = a;
    const sandbox = app.app.sandbox!;
    const query = <T,>(sql: string, params?: unknown[]) => app.app.dataSource.query(sql, params) as Promise<T[]>;
    const spawn = (name: string, role: 'all' | 'worker') => {
      const p = spawnService({
        build,
        name,
        role,
        databaseUrl: (app.app.dataSource.options as { url: string }).url,
        unipile: { url: sandbox.url, apiKey: sandbox.apiKey },
        env: { SEND_LEASE: '20s', RECONCILE_INTERVAL: '10m' },
      });
      processes.push(p);
      return p;
    };
    const b = spawn('instance-b', 'all');
    const c = spawn('instance-c', 'worker');
    const bUrl = await waitFor(() => b.ready, 90_000, 'instance B to listen');
    const cUrl = await waitFor(() => c.ready, 90_000, 'instance C to start');
    await c.command('pause-jobs');

    const token = await adminToken(app.graphqlUrl);
    // Unipile's webhooks point at B (its own URL: ensureWebhooks asked of B registers B).
    const { ensureWebhooks } = await gqlOk(`${bUrl}/graphql`, EnsureWebhooksDocument, {}, token);
    expect(ensureWebhooks.webhooks.filter((w) => w.managed).every((w) => w.requestUrl.startsWith(bUrl))).toBe(true);

    const { campaignId, accounts } = await setUpCampaign(app.graphqlUrl, token, sandbox, {
      name: 'Multi-instance campaign',
      accounts: ACCOUNTS,
      leads: LEADS,
      steps: [
        { kind: 'INVITE', delayMinutes: 0 },
        { kind: 'MESSAGE', delayMinutes: 0, template: 'Hello {{first_name|there}}, thanks for connecting.' },
      ],
      account: { dailyInviteCap: INVITE_CAP, dailyMessageCap: MESSAGE_CAP },
      activate: false,
    });
    // Leads are added, but the campaign only becomes ACTIVE below: subscribe first (nothing can be missed).
    const expectedReplies = ACCOUNTS * MESSAGE_CAP;
    const subscribe = (wsUrl: string) => {
      const { client } = wsClient(wsUrl, { Authorization: `Bearer ${token}` });
      clients.push(client);
      return takeSubscription(client, ReplyReceivedDocument, { campaignId }, expectedReplies);
    };
    const onA = subscribe(app.wsUrl);
    const onB = subscribe(`${bUrl.replace(/^http/, 'ws')}/graphql`);
    const replies = Promise.all([onA, onB]);
    await waitForSubscriptions(app.baseUrl, 1);
    await waitForSubscriptions(bUrl, 1);
    await activateCampaign(app.graphqlUrl, token, campaignId);

    const workerId = (p: ServiceProcess) => `${hostname()}:${p.pid}`;
    const sentBy = async (p: ServiceProcess) =>
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM step_execution WHERE campaign_id = $1 AND state = 'sent' AND worker_id = $2`, [campaignId, workerId(p)]))[0].n;
    await waitFor(async () => (await sentBy(b)) > 0, 60_000, 'a step sent by B');
    await b.command('pause-jobs');
    await c.command('resume-jobs');
    await waitFor(async () => (await sentBy(c)) > 0, 60_000, 'a step sent by C');
    await b.command('resume-jobs');

    const received = await withTimeout(replies, 150_000, () => `${expectedReplies} replies on A and on B (the sandbox has ${sandbox.messages({ direction: 'inbound' }).length} replies)`);
    // Caps reached and the rest waiting on them: wait until nothing is in flight, then a few more scans.
    await eventually(
      async () => {
        expect(sandbox.sentInvitations()).toHaveLength(ACCOUNTS * INVITE_CAP);
        expect(sandbox.messages({ direction: 'outbound' })).toHaveLength(ACCOUNTS * MESSAGE_CAP);
        expect(await openExecutions(query, campaignId)).toBe(0);
      },
      60_000,
      500,
    );
    // Two scans begun after this point (a process's scans run one at a time, so of the scans it
    // finishes from now on, all but the first began after it), then: nothing new scheduled or sent.
    const executions = async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM step_execution WHERE campaign_id = $1`, [campaignId]))[0].n;
    const executionsAtCap = await executions();
    const scans = () => Promise.all([bUrl, cUrl].map((url) => metricValue(url, 'job_runs_total', { name: SCAN_JOB, outcome: 'success' })));
    const scansAtCap = await scans();
    await waitFor(async () => (await scans()).reduce((n, count, i) => n + Math.max(0, count - scansAtCap[i] - 1), 0) >= 2, 30_000, 'two more scans');
    expect(await executions()).toBe(executionsAtCap);
    expect(await openExecutions(query, campaignId)).toBe(0);
    expect(sandbox.sentInvitations()).toHaveLength(ACCOUNTS * INVITE_CAP);
    expect(sandbox.messages({ direction: 'outbound' })).toHaveLength(ACCOUNTS * MESSAGE_CAP);
    for (const account of accounts) {
      expect(sandbox.sentInvitations(account.unipileAccountId)).toHaveLength(INVITE_CAP);
      expect(sandbox.messages({ accountId: account.unipileAccountId, direction: 'outbound' })).toHaveLength(MESSAGE_CAP);
    }
    await sandbox.settle();

    const result = await eventually(
      async () => {
        const r = await audit(query, sandbox, campaignId);
        expect(exactlyOnceProblems(r)).toEqual([]);
        return r;
      },
      30_000,
      500,
    );
    for (const row of result.ledger) expect(row.used).toBe(row.kind === 'invite' ? INVITE_CAP : MESSAGE_CAP);
    expect(await statusCounts(query, campaignId)).toEqual({
      responded: ACCOUNTS * MESSAGE_CAP,
      connected: ACCOUNTS * (INVITE_CAP - MESSAGE_CAP),
      pending_invite: LEADS - ACCOUNTS * INVITE_CAP,
    });
    const [waiting] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lead WHERE campaign_id = $1 AND status IN ('pending_invite', 'connected') AND waiting_reason = 'DAILY_CAP_REACHED'`,
      [campaignId],
    );
    expect(waiting.n).toBe(LEADS - ACCOUNTS * MESSAGE_CAP);

    // Each API instance's subscriber saw every reply once: the replies stored, which are the sandbox's.
    const repliedLeads = result.leads.filter((l) => l.replyEvents.length > 0).map((l) => l.id).sort();
    expect(repliedLeads).toHaveLength(expectedReplies);
    for (const [name, events] of [['A', received[0]], ['B', received[1]]] as const) {
      const payloads = events.map((e) => e.data?.replyReceived).filter((r): r is ReplyReceivedSubscription['replyReceived'] => !!r);
      expect({ instance: name, errors: events.flatMap((e) => e.errors ?? []) }).toEqual({ instance: name, errors: [] });
      expect({ instance: name, leads: payloads.map((p) => p.leadId).sort() }).toEqual({ instance: name, leads: repliedLeads });
      expect(new Set(payloads.map((p) => p.eventId)).size).toBe(expectedReplies);
      expect(payloads.every((p) => p.source === 'webhook' || p.source === 'poll')).toBe(true);
    }
    // Both engines sent, and only they: every step that went out is attributed to B or C.
    const senders = await query<{ worker_id: string; n: number }>(
      `SELECT worker_id, count(*)::int AS n FROM step_execution WHERE campaign_id = $1 AND state = 'sent' GROUP BY worker_id`,
      [campaignId],
    );
    const sent = Object.fromEntries(senders.map((r) => [r.worker_id === workerId(b) ? 'B' : r.worker_id === workerId(c) ? 'C' : r.worker_id, r.n]));
    console.log(`[multi-instance] steps sent: ${JSON.stringify(sent)}`);
    expect(Object.keys(sent).sort()).toEqual(['B', 'C']);
    expect(sent.B + sent.C).toBe(ACCOUNTS * (INVITE_CAP + MESSAGE_CAP));
    expect(b.exited()).toBeUndefined();
    expect(c.exited()).toBeUndefined();
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
