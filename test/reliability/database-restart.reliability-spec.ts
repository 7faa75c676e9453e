import { createAppDataSource } from '../../src/modules';
import { startUnipileSandbox, type UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { EnsureWebhooksDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { eventually, waitFor } from '../support/polling';
import { FINAL_STATUSES, THREE_STEPS, adminToken, audit, exactlyOnceProblems, openExecutions, setUpCampaign, statusCounts } from './support/process-campaign';
import { type ServiceBuild, type ServiceProcess, buildService, spawnService, stopService } from './support/process-service';
import { type PrivatePostgres, startPrivatePostgres } from './support/private-postgres';
import { Pool } from 'pg';

// Issue 11, a database restart: the service (one ROLE=all process) runs a campaign on a Postgres
// server of this test's own, which is stopped in the middle of the run and started again. The
// machine's shared Postgres is never touched. While the database is down /readyz says so (503)
// and webhook deliveries are refused (the sandbox retries them, as Unipile does); afterwards the
// same process is ready again without a restart, sending goes on, and every reply and every step
// is stored exactly once.

const OUTAGE_MS = 6_000;

describe('the database restarted in the middle of a run', () => {
  let pg: PrivatePostgres | undefined;
  let sandbox: UnipileSandbox | undefined;
  let service: ServiceProcess | undefined;
  let pool: Pool | undefined;
  let build: ServiceBuild;

  beforeAll(async () => {
    build = await buildService();
  });

  afterAll(async () => {
    // A process that died says why (its last output), whatever failed first.
    if (service?.exited()) console.log(`[database-restart] the service exited (${service.exited()}):\n${service.output().slice(-6_000)}`);
    if (service) await stopService(service);
    await pool?.end();
    await sandbox?.stop();
    await pg?.destroy();
    build?.remove();
  });

  it('should report the outage on /readyz, reconnect by itself, and lose or repeat nothing', async () => {
    pg = await startPrivatePostgres();
    const databaseUrl = await pg.createDatabase('outreach');
    const migrator = createAppDataSource(databaseUrl, { poolSize: 1 });
    await migrator.initialize();
    await migrator.runMigrations({ transaction: 'each' });
    await migrator.destroy();
    // The test's own reads; pg drops idle clients that die with the server, and reconnects.
    pool = new Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => undefined);
    const db = pool;
    const query = async <T,>(sql: string, params?: unknown[]) => (await db.query(sql, params)).rows as T[];

    sandbox = await startUnipileSandbox({
      seed: 'database-restart',
      profiles: 60,
      acceptance: { probability: 1, delayMs: { min: 300, max: 2_000 } },
      reply: { probability: 0.4, delayMs: { min: 300, max: 2_000 } },
      // Unipile retries a refused delivery five times; these delays outlast the outage.
      webhooks: { retryDelaysMs: [1_000, 2_000, 4_000, 8_000, 16_000] },
      tickMs: 100,
    });
    const box = sandbox;
    service = spawnService({
      build,
      name: 'service',
      role: 'all',
      databaseUrl,
      unipile: { url: box.url, apiKey: box.apiKey },
      env: { SEND_LEASE: '5s', RECONCILE_INTERVAL: '10m', LOG_LEVEL: 'warn' },
    });
    const svc = service;
    const baseUrl = await waitFor(() => svc.ready, 90_000, 'the service to listen');
    const readyz = async () => {
      const res = await fetch(`${baseUrl}/readyz`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { status: string }> } };
    };
    expect((await readyz()).status).toBe(200);

    const token = await adminToken(`${baseUrl}/graphql`);
    await gqlOk(`${baseUrl}/graphql`, EnsureWebhooksDocument, {}, token);
    const { campaignId } = await setUpCampaign(`${baseUrl}/graphql`, token, box, {
      name: 'Database restart campaign',
      accounts: 2,
      leads: 16,
      steps: THREE_STEPS,
    });

    // Before: the campaign is under way and replies have been stored.
    await waitFor(
      async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM lead_event WHERE type = 'message_received'`))[0].n >= 1,
      90_000,
      'a first reply stored',
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}: statuses ${JSON.stringify(await statusCounts(query, campaignId))}, at Unipile ${sendsAtUnipile(box)} sends and ` +
          `${box.messages({ direction: 'inbound' }).length} replies, deliveries ${JSON.stringify(box.deliveries().map((d) => [d.event, d.state, d.attempts.map((a) => a.status ?? a.error)]))}\n${svc.output().slice(-3_000)}`,
      );
    });
    const before = { sends: sendsAtUnipile(box), replies: box.messages({ direction: 'inbound' }).length };

    // The outage, with a send in flight: Unipile (the sandbox) holds the worker's next send for 4 s,
    // then takes it, when the database is down: the worker cannot record it, and the execution
    // stays `sending` for the reconciliation after the restart.
    const held = box.faults.add({ kind: 'slow', delayMs: 4_000, times: 1, match: { method: 'POST' } });
    await waitFor(() => !box.faults.list().some((f) => f.id === held && f.hits === 0), 30_000, 'a send to be held');
    await pg.stop('fast');
    const downAt = Date.now();
    const notReady = await waitFor(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 15_000, '/readyz to report the outage');
    expect(notReady.body.status).toBe('unavailable');
    expect(notReady.body.checks.database.status).toBe('failed');
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    // Replies keep coming while the database is down: their webhooks are refused with a JSON error.
    const chats = [...new Set(box.messages({ direction: 'outbound' }).map((m) => m.chatId))].slice(0, 3);
    for (const chatId of chats) box.reply(chatId, 'Answered while your database was down');
    const refused = await waitFor(
      () => {
        const failed = box.deliveries().flatMap((d) => d.attempts.filter((a) => Date.parse(a.at) >= downAt && a.status !== 200));
        return failed.length > 0 ? failed : undefined;
      },
      15_000,
      'a webhook delivery refused during the outage',
    );
    console.log(`[database-restart] during the outage: webhook answers ${JSON.stringify([...new Set(refused.map((a) => a.status ?? a.error))])}`);
    const direct = await fetch(`${baseUrl}/api/webhooks/unipile/messaging`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(box.deliveries().find((d) => d.event === 'message_received')!.body),
    });
    expect(direct.status).toBe(503);
    expect(direct.headers.get('retry-after')).toBe('5');
    expect(await direct.json()).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    // Not waiting for something to happen: the outage lasts OUTAGE_MS, that is the scenario (the
    // process must stay unready and refuse webhooks for all of it, then recover by itself).
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    expect((await readyz()).status).toBe(503);

    // Back: the same process becomes ready again and goes on.
    await pg.start();
    const upAt = Date.now();
    await waitFor(async () => (await readyz()).status === 200, 60_000, '/readyz to be ready again');
    console.log(`[database-restart] ready again ${Date.now() - upAt} ms after the database came back`);

    await eventually(
      async () => {
        const counts = await statusCounts(query, campaignId);
        expect(Object.keys(counts).filter((s) => !FINAL_STATUSES.includes(s))).toEqual([]);
        expect(await openExecutions(query, campaignId)).toBe(0);
        expect(box.pendingEvents()).toEqual([]);
      },
      150_000,
      500,
    );
    await box.settle();
    const result = await eventually(
      async () => {
        const r = await audit(query, box, campaignId);
        expect(exactlyOnceProblems(r)).toEqual([]);
        return r;
      },
      60_000,
      500,
    );
    const after = { sends: sendsAtUnipile(box), replies: box.messages({ direction: 'inbound' }).length };
    console.log(
      `[database-restart] before the outage ${JSON.stringify(before)}, at the end ${JSON.stringify(after)}; ` +
        `statuses ${JSON.stringify(await statusCounts(query, campaignId))}; ${result.reconciled} step(s) recorded by reconciliation`,
    );
    // Sends went on after the restart; the replies of the outage were stored (once: exactlyOnceProblems).
    expect(after.sends).toBeGreaterThan(before.sends);
    for (const chatId of chats) {
      const [row] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM lead_event e JOIN lead l ON l.id = e.lead_id WHERE l.chat_id = $1 AND e.type = 'message_received'`,
        [chatId],
      );
      expect(row.n).toBeGreaterThanOrEqual(1);
    }
    expect(result.leads.every((l) => l.sentSteps.length > 0)).toBe(true);
    // One process throughout: it reconnected, it was not restarted.
    expect(svc.exited()).toBeUndefined();
  });
});

function sendsAtUnipile(sandbox: UnipileSandbox): number {
  return sandbox.sentInvitations().length + sandbox.messages({ direction: 'outbound' }).length;
}
