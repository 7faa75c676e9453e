import { AsyncLocalStorage } from 'node:async_hooks';
import { VirtualClock } from '../../../core/clock';

/**
 * A VirtualClock whose time can be pinned for one asynchronous flow: code run through `at(time, …)`
 * sees that time, everything else the shared clock. A simulation can then run the step executions
 * of several accounts at once, each at its own scheduled instant, as separate workers would.
 */
export class SimulationClock extends VirtualClock {
  private readonly pinned = new AsyncLocalStorage<number>();

  override now(): Date {
    const at = this.pinned.getStore();
    return at === undefined ? super.now() : new Date(at);
  }

  /** Runs `fn` with now() = `at` for everything it awaits (never earlier than the shared clock). */
  at<T>(at: Date, fn: () => Promise<T>): Promise<T> {
    return this.pinned.run(Math.max(at.getTime(), super.now().getTime()), fn);
  }
}
