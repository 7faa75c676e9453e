import { randomUUID } from 'node:crypto';
import { type LiveEvent, LiveEventFeed } from '../../src/core/pubsub/live-event-feed';
import { waitFor } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';

const publish = (runner: { query: (sql: string, params: unknown[]) => Promise<unknown> }, ws: string, text: string) =>
  runner.query(`SELECT live_event_publish($1, 'REPLY_RECEIVED', NULL, NULL, $2::jsonb)`, [ws, JSON.stringify({ text })]);

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
    const feed = new LiveEventFeed(db, { url: (db.options as { url: string }).url, notifications, pollMs: 50, log: t.app.log });
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
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map((e) => e.payload.text)).toEqual(['early', 'late', 'after']);
    } finally {
      await feed.stop();
    }
  });
});
