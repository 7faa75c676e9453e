import type { LiveEvent, LiveEventFeed } from '../../src/core/pubsub/live-event-feed';
import { MAX_BUFFERED_EVENTS, liveIterator } from '../../src/core/pubsub/live-subscription';

// A feed with nothing behind it: the iterator only needs subscribe().
function feedStub() {
  const listeners = new Set<(e: LiveEvent) => void>();
  const feed = { subscribe: (l: (e: LiveEvent) => void) => (listeners.add(l), () => listeners.delete(l)) } as unknown as LiveEventFeed;
  const emit = (id: number, workspaceId = 'w1') =>
    listeners.forEach((l) =>
      l({ id: String(id), workspaceId, topic: 'REPLY_RECEIVED', campaignId: null, accountId: null, payload: {}, createdAt: new Date() }),
    );
  return { feed, emit, listeners };
}

describe(liveIterator.name, () => {
  it('should yield matching events once each, a late one after the others', async () => {
    const { feed, emit } = feedStub();
    const it = liveIterator(feed, (e) => e.workspaceId === 'w1');
    emit(1);
    emit(2, 'w2');
    emit(4);
    emit(4);
    emit(3); // its transaction committed after 4's
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await it.next()).value?.id);
    expect(ids).toEqual(['1', '4', '3']);
    await it.return!();
  });

  it('should replay the log first, then live events, without duplicates', async () => {
    const { feed, emit } = feedStub();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const past = [4, 5].map((id) => ({ id: String(id), workspaceId: 'w1', topic: 'REPLY_RECEIVED' as const, campaignId: null, accountId: null, payload: {}, createdAt: new Date() }));
    const it = liveIterator(feed, () => true, async () => (await gate, past));
    emit(5); // arrives live while the replay is still loading
    emit(6);
    release();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await it.next()).value?.id);
    expect(ids).toEqual(['4', '5', '6']);
    await it.return!();
  });

  it('should cut off a subscriber that stops reading, and free its listener', async () => {
    const { feed, emit, listeners } = feedStub();
    const it = liveIterator(feed, () => true);
    for (let id = 1; id <= MAX_BUFFERED_EVENTS + 1; id++) emit(id);
    await expect(it.next()).rejects.toMatchObject({ code: 'SUBSCRIPTION_OVERFLOW' });
    await it.return!();
    expect(listeners.size).toBe(0);
  });
});
