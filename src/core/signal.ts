import type { Logger } from './logger';

type Listener<T> = (value: T) => unknown;

/**
 * A typed in-process event: a module announces a fact ("leads are due", "a reply was recorded")
 * without knowing who listens. emit() waits for every listener and never rejects: a failing
 * listener is logged and never undoes what was announced.
 */
export class Signal<T = void> {
  private readonly listeners: Array<Listener<T>> = [];

  constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  on(listener: Listener<T>): void {
    this.listeners.push(listener);
  }

  async emit(value: T): Promise<void> {
    await Promise.all(
      this.listeners.map(async (listener) => {
        try {
          await listener(value);
        } catch (error) {
          this.log.error({ err: error, signal: this.name }, 'signal listener failed');
        }
      }),
    );
  }
}
