import { DomainError } from '../errors';
import type { LiveEvent, LiveEventFeed } from './live-event-feed';

/** Events a subscriber may hold unread before it is cut off (it then resumes with `after`). */
export const MAX_BUFFERED_EVENTS = 1_000;
/** Ids remembered to deliver each event once (replay and live overlap; a late commit comes out of order). */
const MAX_REMEMBERED_IDS = 10_000;

/**
 * An async iterator over the live events that pass `filter`: first those after `replayFrom`
 * (catch-up from the log), then live ones, each id once (in order, but for an event whose
 * transaction committed very late). A subscriber that stops
 * reading is not allowed to grow the server's memory: past MAX_BUFFERED_EVENTS its subscription
 * ends with SUBSCRIPTION_OVERFLOW, and it resumes from the last id it saw. With `workspaceId`, the
 * feed hands it only that workspace's events (filter still applies).
 */
export function liveIterator(
  feed: LiveEventFeed,
  filter: (event: LiveEvent) => boolean,
  replay?: () => Promise<LiveEvent[]>,
  workspaceId?: string,
): AsyncIterableIterator<LiveEvent> {
  const queue: LiveEvent[] = [];
  let waiting: ((r: IteratorResult<LiveEvent>) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  let overflow = false;
  let done = false;
  const seen = new Set<string>();
  let replaying = Boolean(replay);
  const live: LiveEvent[] = [];

  const deliver = (event: LiveEvent) => {
    if (done || seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > MAX_REMEMBERED_IDS) seen.delete(seen.values().next().value!);
    if (waiting) {
      const resolve = waiting;
      waiting = failed = undefined;
      resolve({ done: false, value: event });
    } else if (queue.length >= MAX_BUFFERED_EVENTS) {
      overflow = true;
      failed?.(overflowError());
    } else {
      queue.push(event);
    }
  };
  const unsubscribe = feed.subscribe((event) => {
    if (!filter(event)) return;
    if (replaying) live.push(event);
    else deliver(event);
  }, workspaceId);
  if (replay) {
    replay()
      .then((past) => {
        for (const event of past) deliver(event);
        replaying = false;
        for (const event of live.splice(0)) deliver(event);
      })
      .catch((error: Error) => {
        done = true;
        unsubscribe();
        failed?.(error);
      });
  }

  const finish = async (): Promise<IteratorResult<LiveEvent>> => {
    done = true;
    unsubscribe();
    waiting?.({ done: true, value: undefined });
    return { done: true, value: undefined };
  };
  return {
    next() {
      if (overflow) return Promise.reject(overflowError());
      const event = queue.shift();
      if (event) return Promise.resolve({ done: false, value: event });
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failed = reject;
      });
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function overflowError(): DomainError {
  return new DomainError('SUBSCRIPTION_OVERFLOW', `More than ${MAX_BUFFERED_EVENTS} events waited unread; resubscribe with after: the last id you received`);
}
