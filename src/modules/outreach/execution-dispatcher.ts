import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { ExecutionScheduler } from './engine-settings';
import type { ClaimedBatch, ExecuteStepService } from './execute-step.service';

export type DispatcherSettings = {
  /** Executions claimed by one round (one claim transaction). */
  batch: number;
  /** Accounts whose sends run side by side within a batch (each account's in order). */
  lanes: number;
  /** Batches sending at once, so one slow Unipile call does not hold the others back. */
  inFlight: number;
  /** Longest sleep between two looks at the table: work scheduled by another process waits no longer. */
  idleMs: number;
};

const MIN_IDLE_MS = 50;

export const DEFAULT_DISPATCHER: DispatcherSettings = { batch: 100, lanes: 8, inFlight: 4, idleMs: 1_000 };

/**
 * Runs due step executions in a worker process: the step_execution table is the queue (no job per
 * execution). A round claims up to `batch` due executions that no other worker holds (SKIP LOCKED
 * in the claim's transaction, see ExecuteStepService.claimDue), so any number of workers share the
 * work without waiting on each other; the batch's sends then run, each account's in order. Between
 * rounds it sleeps until the next execution is due (at most `idleMs`), or until a new execution of
 * this process is due sooner (scheduleExecution wakes it).
 */
export class ExecutionDispatcher {
  private running = false;
  private loop?: Promise<void>;
  private readonly sending = new Set<Promise<unknown>>();
  private sleep?: { timer: NodeJS.Timeout; until: number; wake: () => void };

  constructor(
    private readonly executor: ExecuteStepService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly settings: DispatcherSettings = DEFAULT_DISPATCHER,
  ) {}

  /** For the engine's services: an execution is due at `at`, so look no later than then. */
  readonly scheduler: ExecutionScheduler = {
    scheduleExecution: async (_executionId, at) => {
      if (this.sleep && at.getTime() - this.clock.now().getTime() < this.sleep.until - Date.now()) this.sleep.wake();
    },
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Claims nothing more; the batches sending finish (their sends are recorded). */
  async stop(): Promise<void> {
    this.running = false;
    this.sleep?.wake();
    await this.loop;
    await Promise.allSettled([...this.sending]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.sending.size >= this.settings.inFlight) {
        await Promise.race(this.sending);
        continue;
      }
      let claimed: ClaimedBatch | undefined;
      try {
        claimed = await this.executor.claimDue(this.settings.batch);
      } catch (error) {
        this.log.error({ err: error }, 'claiming due step executions failed; trying again');
      }
      if (claimed && claimed.items.length > 0) this.send(claimed);
      // A full batch: more may be due at once.
      if (claimed?.items.length === this.settings.batch) continue;
      await this.sleepUntilDue(claimed?.items.length ? 0 : MIN_IDLE_MS);
    }
  }

  private send(batch: ClaimedBatch): void {
    const sending = this.executor
      .runClaimed(batch, { lanes: this.settings.lanes })
      .catch((error: unknown) => this.log.error({ err: error, executions: batch.items.length }, 'a batch of step executions failed; their leases let them be reconciled'))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }

  /** At least `minMs`: a due execution that another worker holds is not polled in a tight loop. */
  private async sleepUntilDue(minMs: number): Promise<void> {
    if (!this.running) return;
    let next: Date | undefined;
    try {
      next = await this.executor.nextDueAt();
    } catch (error) {
      this.log.warn({ err: error }, 'reading the next due step execution failed');
    }
    const ms = Math.min(this.settings.idleMs, Math.max(minMs, (next?.getTime() ?? Number.POSITIVE_INFINITY) - this.clock.now().getTime()));
    if (ms === 0) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleep = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms).unref();
      this.sleep = { timer, until: Date.now() + ms, wake };
    });
  }
}
