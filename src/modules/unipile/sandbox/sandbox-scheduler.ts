import { type Clock, VirtualClock } from '../../../core/clock';

export type ScheduledEvent = { id: number; dueAt: Date; label: string; run: () => void };

/**
 * Simulated LinkedIn events (acceptances, replies, delayed webhooks) waiting for their time.
 * Time comes only from the clock: with the system clock an unref'd timer drives `runDue()`;
 * with a VirtualClock the caller `advance()`s, and events run at their own due times in order.
 */
export class SandboxScheduler {
  private readonly events: ScheduledEvent[] = [];
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
    this.events.push({ id, dueAt, label, run });
    return id;
  }

  after(delayMs: number, label: string, run: () => void): number {
    return this.at(new Date(this.clock.now().getTime() + delayMs), label, run);
  }

  cancel(id: number): void {
    const i = this.events.findIndex((e) => e.id === id);
    if (i >= 0) this.events.splice(i, 1);
  }

  pending(): Array<Omit<ScheduledEvent, 'run'>> {
    return this.sorted().map(({ id, dueAt, label }) => ({ id, dueAt, label }));
  }

  /** Runs every event due by now, including ones that become due while running; returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const next = this.sorted()[0];
      if (!next || next.dueAt.getTime() > this.clock.now().getTime()) return ran;
      this.cancel(next.id);
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
      const next = this.sorted()[0];
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

  private sorted(): ScheduledEvent[] {
    return [...this.events].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
  }
}
