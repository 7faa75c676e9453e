// Everything that depends on time asks a Clock, so tests and simulations can run days in seconds.
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests, the sandbox and simulations. */
export class VirtualClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-01-05T09:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  set(to: Date | string): void {
    const ms = new Date(to).getTime();
    if (ms < this.ms) throw new Error('VirtualClock cannot move backwards');
    this.ms = ms;
  }

  advance(ms: number): Date {
    this.set(new Date(this.ms + ms));
    return this.now();
  }
}
