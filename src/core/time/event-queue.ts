import { type Clock, VirtualClock } from '../clock';

export type QueuedEvent = { id: number; dueAt: Date; label: string; run: () => void };

const before = (a: QueuedEvent, b: QueuedEvent) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id;

/**
 * Events waiting for their time: the sandbox's simulated LinkedIn (acceptances, replies, delayed
 * webhooks), a dry run's sends. Time comes only from the clock: with the system clock an unref'd
 * timer drives `runDue()`; with a VirtualClock the caller `advance()`s, and events run at their
 * own due times in order.
 * A binary heap (cancelled events dropped lazily): a simulation keeps tens of thousands pending.
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = [];
  private readonly live = new Set<number>();
  private seq = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown, label: string) => void = () => {},
  ) {}

  get isVirtual(): boolean {
    return this.clock instanceof VirtualClock;
  }

  at(dueAt: Date, label: string, run: () => void): number {
    const id = ++this.seq;
    this.live.add(id);
    this.push({ id, dueAt, label, run });
    return id;
  }

  after(delayMs: number, label: string, run: () => void): number {
    return this.at(new Date(this.clock.now().getTime() + delayMs), label, run);
  }

  cancel(id: number): void {
    this.live.delete(id);
  }

  pending(): Array<Omit<QueuedEvent, 'run'>> {
    return this.heap
      .filter((e) => this.live.has(e.id))
      .sort(before)
      .map(({ id, dueAt, label }) => ({ id, dueAt, label }));
  }

  /** When the earliest pending event is due (undefined: none). */
  nextDueAt(): Date | undefined {
    return this.peek()?.dueAt;
  }

  /** Runs every event due by now, including ones that become due while running; returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const next = this.peek();
      if (!next || next.dueAt.getTime() > this.clock.now().getTime()) return ran;
      this.pop();
      this.live.delete(next.id);
      try {
        next.run();
      } catch (error) {
        this.onError(error, next.label); // one broken event must not stall the simulation
      }
      ran++;
    }
  }

  /** Moves a VirtualClock forward, stopping at each event's due time so it sees the right "now". */
  advance(ms: number): number {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) throw new Error('The sandbox clock is the system clock: it cannot be advanced');
    const target = clock.now().getTime() + ms;
    let ran = this.runDue();
    for (;;) {
      const next = this.peek();
      if (!next || next.dueAt.getTime() > target) break;
      if (next.dueAt.getTime() > clock.now().getTime()) clock.set(next.dueAt);
      ran += this.runDue();
    }
    clock.set(new Date(target));
    return ran + this.runDue();
  }

  start(tickMs: number): void {
    if (this.isVirtual || this.timer) return;
    this.timer = setInterval(() => this.runDue(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The earliest live event, discarding cancelled ones on the way. */
  private peek(): QueuedEvent | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].id)) this.pop();
    return this.heap[0];
  }

  private push(event: QueuedEvent): void {
    const h = this.heap;
    h.push(event);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (before(h[i], h[parent]) >= 0) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && before(h[l], h[min]) < 0) min = l;
      if (r < h.length && before(h[r], h[min]) < 0) min = r;
      if (min === i) return;
      [h[i], h[min]] = [h[min], h[i]];
      i = min;
    }
  }
}
