import { randomUUID } from 'node:crypto';
import { type LiveEvent, LiveEventFeed } from '../../src/core/pubsub/live-event-feed';
import { LiveEventRepository } from '../../src/core/pubsub/live-event.repository';
import { waitFor } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';

const publish = (runner: { query: (sql: string, params: unknown[]) => Promise<unknown> }, ws: string, text: string) =>
  runner.query(`SELECT live_event_publish($1, 'REPLY_RECEIVED', NULL, NULL, $2::jsonb)`, [ws, JSON.stringify({ text })]);

/** Counts the feed's reads of the table. */
class CountingRepository extends LiveEventRepository {
  reads = 0;

  override maxId(): Promise<bigint> {
    this.reads++;
    return super.maxId();
  }

  override after(id: bigint, limit: number): Promise<LiveEvent[]> {
    this.reads++;
    return super.after(id, limit);
  }

  override byIds(ids: string[]): Promise<LiveEvent[]> {
    this.reads++;
    return super.byIds(ids);
  }
}

describe(LiveEventFeed.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it.each([
    ['NOTIFY wake-ups', true],
    ['polling (the embedded database has no NOTIFY)', false],
  ])('should deliver each committed event once, in order, with %s, waiting for a transaction that commits late', async (_mode, notifications) => {
    const db = t.app.dataSource;
    const feed = new LiveEventFeed(new LiveEventRepository(db.manager), { url: (db.options as { url: string }).url, notifications, pollMs: 50, log: t.app.log });
    await feed.start();
    const ws = randomUUID();
    const seen: LiveEvent[] = [];
    feed.subscribe((e) => e.workspaceId === ws && seen.push(e));
    try {
      // A transaction takes an id and stays open while a later id commits first.
      const slow = db.createQueryRunner();
      await slow.connect();
      await slow.startTransaction();
      await publish(slow, ws, 'late');
      await publish(db, ws, 'early');
      await waitFor(() => seen.length === 1, 5_000, 'the early event');
      expect(seen.map((e) => e.payload.text)).toEqual(['early']);
      await slow.commitTransaction();
      await slow.release();
      feed.wake();
      await waitFor(() => seen.length === 2, 5_000, 'the late event');
      await publish(db, ws, 'after');
      await waitFor(() => seen.length === 3, 5_000, 'the last event');
      // Nothing more, shown by order rather than by waiting: an event too large for a NOTIFY is
      // read from the table, by a read that follows every earlier read and notification, and
      // reads every id the resume point has not passed. A repeat of anything before it would
      // arrive first.
      const closing = `closing ${'x'.repeat(9_000)}`;
      await publish(db, ws, closing);
      await waitFor(() => seen.some((e) => e.payload.text === closing), 5_000, 'the closing event');
      expect(seen.map((e) => e.payload.text)).toEqual(['early', 'late', 'after', closing]);
    } finally {
      await feed.stop();
    }
  });

  it('should deliver from the NOTIFY payload without reading the table, and read an event too large for one', async () => {
    const db = t.app.dataSource;
    const counting = new CountingRepository(db.manager);
    const feed = new LiveEventFeed(counting, { url: (db.options as { url: string }).url, notifications: true, pollMs: 60_000, log: t.app.log });
    await feed.start();
    const ws = randomUUID();
    const seen: LiveEvent[] = [];
    feed.subscribe((e) => e.workspaceId === ws && seen.push(e));
    try {
      const readsAfterStart = counting.reads;
      await publish(db, ws, 'small');
      await waitFor(() => seen.length === 1, 5_000, 'the small event');
      expect(counting.reads).toBe(readsAfterStart);
      expect(seen[0]).toMatchObject({ workspaceId: ws, topic: 'REPLY_RECEIVED', payload: { text: 'small' } });
      expect(seen[0].createdAt).toBeInstanceOf(Date);

      const large = 'x'.repeat(9_000); // over NOTIFY's 8000 bytes: only the id is sent
      await publish(db, ws, large);
      await waitFor(() => seen.length === 2, 5_000, 'the large event');
      expect(counting.reads).toBeGreaterThan(readsAfterStart);
      expect(seen[1].payload.text).toBe(large);
      expect(Number(seen[1].id)).toBeGreaterThan(Number(seen[0].id));
    } finally {
      await feed.stop();
    }
  });

  it("should hand a workspace listener only its workspace's events", async () => {
    const db = t.app.dataSource;
    const feed = new LiveEventFeed(new LiveEventRepository(db.manager), { url: (db.options as { url: string }).url, notifications: true, pollMs: 60_000, log: t.app.log });
    await feed.start();
    const [mine, other]: string[] = [randomUUID(), randomUUID()];
    const seen: string[] = [];
    const all: string[] = [];
    const unsubscribe = feed.subscribe((e) => seen.push(String(e.payload.text)), mine);
    feed.subscribe((e) => [mine, other].includes(e.workspaceId) && all.push(String(e.payload.text)));
    try {
      await publish(db, other, 'theirs');
      await publish(db, mine, 'mine');
      await waitFor(() => all.length === 2, 5_000, 'both events');
      expect(seen).toEqual(['mine']);
      unsubscribe();
      await publish(db, mine, 'after');
      await waitFor(() => all.length === 3, 5_000, 'the last event');
      expect(seen).toEqual(['mine']);
    } finally {
      await feed.stop();
    }
  });
});
