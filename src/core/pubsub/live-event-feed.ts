import type { Logger } from '../logger';
import { type LiveEventListener, type LiveEventRepository, type LiveEventRow, toLiveEvent } from './live-event.repository';

// SESSIONS_REVOKED carries token revocations to every instance (never shown to subscribers).
export type LiveTopic = 'REPLY_RECEIVED' | 'LEAD_STATUS_CHANGED' | 'ACCOUNT_STATUS_CHANGED' | 'JOB_PROGRESS' | 'CAMPAIGN_COMPLETED' | 'SESSIONS_REVOKED';

export type LiveEvent = {
  /** Monotonic: clients resume after the last id they saw. */
  id: string;
  workspaceId: string;
  topic: LiveTopic;
  campaignId: string | null;
  accountId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
};

const BATCH = 1_000;
/**
 * An id missing below newer ones is a transaction still open (or rolled back). Newer events are
 * delivered meanwhile; only the resume point waits, this long. An id given up on is still looked
 * for during LATE_WATCH_MS, so a transaction that commits very late is delivered, out of order.
 */
const GAP_WAIT_MS = 60_000;
const LATE_WATCH_MS = 10 * 60_000;

/** A NOTIFY payload: the event row as JSON, or only its id when the row did not fit in 8000 bytes. */
export const notifiedRow = (payload: string | undefined): LiveEventRow | undefined =>
  payload?.startsWith('{') ? (JSON.parse(payload) as LiveEventRow) : undefined;

type Listener = (event: LiveEvent) => void;

/**
 * Every committed live event, once, to every listener of this process. Rows are written by
 * database triggers in the producers' transactions, so an event exists only once its fact is
 * committed, whichever process wrote it. On a real Postgres, NOTIFY (sent at commit, to every
 * instance) carries the row itself, so it is delivered without a query; a row too large for a
 * NOTIFY arrives as its id and is read, like everything on the embedded database (no NOTIFY:
 * polling). A slow poll reads whatever a lost connection may have missed.
 * Ids are handed out before commit, so a lower id can commit after a higher one: the resume point
 * (lastId) waits for a gap (up to GAP_WAIT_MS) before moving past it, and nothing is delivered twice.
 */
export class LiveEventFeed {
  private readonly listeners = new Set<Listener>();
  /** Listeners of one workspace: an event only touches its own workspace's subscribers. */
  private readonly byWorkspace = new Map<string, Set<Listener>>();
  private lastId = 0n;
  /** Ids above lastId already delivered. */
  private readonly delivered = new Set<string>();
  private readonly gapSince = new Map<string, number>();
  private readonly late = new Map<string, number>();
  private listener?: LiveEventListener;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly events: LiveEventRepository,
    private readonly opts: { url: string; notifications: boolean; pollMs: number; log: Logger },
  ) {}

  async start(): Promise<void> {
    this.lastId = await this.events.maxId();
    if (this.opts.notifications) {
      this.listener = await this.events.listen(
        this.opts.url,
        (payload) => this.notified(payload),
        (err) => this.opts.log.warn({ err }, 'live event listener connection failed; polling'),
      );
    }
    this.timer = setInterval(() => this.wake(), this.opts.notifications ? Math.max(this.opts.pollMs, 5_000) : this.opts.pollMs);
    this.timer.unref();
  }

  /** With a workspace, the listener hears only that workspace's events. */
  subscribe(listener: Listener, workspaceId?: string): () => void {
    if (workspaceId === undefined) {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }
    let set = this.byWorkspace.get(workspaceId);
    if (!set) this.byWorkspace.set(workspaceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byWorkspace.get(workspaceId) === set) this.byWorkspace.delete(workspaceId);
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.reading;
    await this.listener?.end().catch(() => undefined);
  }

  /** Reads what is new; concurrent wake-ups fold into one more read. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((err: unknown) => this.opts.log.warn({ err }, 'reading live events failed'))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private notified(payload: string | undefined): void {
    if (this.stopped) return;
    let row: LiveEventRow | undefined;
    try {
      row = notifiedRow(payload);
    } catch (err) {
      this.opts.log.warn({ err }, 'unreadable live event notification; reading the table');
    }
    if (row) this.accept(toLiveEvent(row), Date.now());
    else this.wake(); // only an id: the row is read from the table
  }

  private async read(): Promise<void> {
    // Pages on from the last row read, not lastId: behind a young gap lastId stays put.
    for (let after = this.lastId; ; ) {
      const events = await this.events.after(after > this.lastId ? after : this.lastId, BATCH);
      const now = Date.now();
      for (const event of events) this.accept(event, now);
      if (events.length < BATCH) return this.readLate(now);
      after = BigInt(events[events.length - 1].id);
    }
  }

  /** Delivers a committed event unless it was already, and moves the resume point. */
  private accept(event: LiveEvent, now: number): void {
    const id = BigInt(event.id);
    // At or below lastId (notifications and reads overlap): delivered, unless given up on and committed late.
    if (id <= this.lastId) {
      if (this.late.delete(event.id)) this.emit(event);
      return;
    }
    if (!this.delivered.has(event.id)) {
      this.delivered.add(event.id);
      this.emit(event);
    }
    this.advance(id, now);
  }

  /** Ids given up on recently: delivered if their transaction committed after all. */
  private async readLate(now: number): Promise<void> {
    for (const [id, since] of this.late) if (now - since > LATE_WATCH_MS) this.late.delete(id);
    if (this.late.size === 0) return;
    for (const event of await this.events.byIds([...this.late.keys()])) if (this.late.delete(event.id)) this.emit(event);
  }

  /**
   * Moves lastId up to `seen` (and on over ids already delivered) unless an id in between is
   * missing and still young.
   */
  private advance(seen: bigint, now: number): void {
    for (let next = this.lastId + 1n; ; next++) {
      const key = next.toString();
      if (!this.delivered.has(key)) {
        if (next > seen) return;
        const since = this.gapSince.get(key) ?? now;
        this.gapSince.set(key, since);
        if (now - since < GAP_WAIT_MS) return;
        this.gapSince.delete(key); // most likely rolled back; watched a while longer in case not
        this.late.set(key, now);
      }
      this.delivered.delete(key);
      this.lastId = next;
    }
  }

  private emit(event: LiveEvent): void {
    const own = this.byWorkspace.get(event.workspaceId);
    if (own) for (const listener of own) this.call(listener, event);
    for (const listener of this.listeners) this.call(listener, event);
  }

  private call(listener: Listener, event: LiveEvent): void {
    try {
      listener(event);
    } catch (err) {
      this.opts.log.warn({ err }, 'live event listener failed');
    }
  }
}
