import { drainWebhookEvents } from '../../src/modules/webhooks/jobs/webhooks.jobs';
import { storeFailedWebhookEvent, storeWebhookEvent } from '../factories/webhook-event.factory';
import { eventually } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession } from '../support/workspace';
import { type LinkedAccount, linkAccount } from './support/campaign-fixtures';
import { messageReceived, postWebhook } from './support/unipile-payloads';

const SECRET = 'drain-secret-0123456789abcdef';
const AUTH = { 'Unipile-Auth': SECRET };

/**
 * The stored row is the durable queue: the receiving process handles a few events at once and
 * leaves the rest of a burst (or everything, if it dies) to the drain job.
 */
describe('webhook drain (events the fast path left)', () => {
  let t: TestApp;
  let account: LinkedAccount;
  beforeAll(async () => {
    t = await startTestApp({ UNIPILE_WEBHOOK_SECRET: SECRET });
    account = await linkAccount(t, await adminSession(t));
  });
  afterAll(() => t.stop());

  const events = async (ids: string[]) =>
    (await t.app.dataSource.query(`SELECT id, outcome, attempts FROM webhook_event WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids])) as Array<{
      id: string;
      outcome: string | null;
      attempts: number;
    }>;
  const drainJobs = async () => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'webhooks.drain'`))[0].n as number;
  const reply = () => messageReceived({ accountId: account.unipileAccountId, ownerProviderId: account.ownerProviderId, senderProviderId: 'ACoAAStranger' });

  it('should answer a burst at once, process 4 at a time in the receiving process, and leave the rest to the drain, each once', async () => {
    // Processing reads the account; holding its table keeps the first four in hand while the burst arrives.
    const blocker = t.app.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query(`LOCK TABLE linkedin_account IN ACCESS EXCLUSIVE MODE`);
    const before = await drainJobs();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const res = await postWebhook(t.baseUrl, 'messaging', reply(), AUTH);
        expect(res.body.status).toBe('stored');
        ids.push(String(res.body.eventId));
      }
      expect((await events(ids)).filter((e) => e.outcome !== null)).toHaveLength(0);
      // The six left woke the drain once, plus at most once per second after (not once per event).
      const woken = (await drainJobs()) - before;
      expect(woken).toBeGreaterThanOrEqual(1);
      expect(woken).toBeLessThanOrEqual(3);
    } finally {
      await blocker.commitTransaction();
      await blocker.release();
    }

    await eventually(async () => expect((await events(ids)).filter((e) => e.outcome !== null)).toHaveLength(4));
    expect(await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest)).toBe(6);
    expect(await events(ids)).toEqual(ids.map((id) => ({ id, outcome: 'NO_LEAD', attempts: 1 })));
    expect(await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest)).toBe(0);
  });

  it('should process an event stored by a process that died before handling it', async () => {
    const id = await storeWebhookEvent(t.app.dataSource, {
      providerKey: 'messaging:message_received:orphan-1',
      unipileAccountId: account.unipileAccountId,
      payload: reply(),
      // Stored a second ago, on the app's clock (as ingest stores it).
      receivedAt: new Date(Date.now() - 1_000),
    });
    expect(await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest)).toBe(1);
    expect(await events([id])).toEqual([{ id, outcome: 'NO_LEAD', attempts: 1 }]);
  });

  it('should offer a failed event again a minute per failed attempt later, and give up after 5 attempts', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const insert = (key: string, attempts: number, receivedAt: Date) =>
      storeFailedWebhookEvent(t.app.dataSource, { providerKey: key, unipileAccountId: 'acc-x', payload: {}, receivedAt }, attempts, 'boom');
    const waiting = await insert('retry:waiting', 2, minutesAgo(1));
    const due = await insert('retry:due', 2, minutesAgo(3));
    const exhausted = await insert('retry:exhausted', 5, minutesAgo(60));

    const offered = await t.app.webhooks.ingest.unprocessed(5, 100);
    expect(offered).toContain(due);
    expect(offered).not.toContain(waiting);
    expect(offered).not.toContain(exhausted);
  });
});
