import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { EngineRepositories } from './engine-repositories';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import type { ScanService } from './scan.service';
import type { SchedulerState } from './scheduler-state.entity';

export type TickOutcome = { paused: boolean; accounts: number; scheduled: number; deferred: number; exited: number; recovered: number };

/**
 * The scheduler's heartbeat (the recurring scan job calls tick): scan every account unless an
 * admin paused sending, and re-queue executions whose job was lost (a job store apart from the
 * database, a crashed worker), so no step waits forever.
 */
export class SchedulerService {
  constructor(
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly scan: ScanService,
    private readonly scheduler: ExecutionScheduler,
    private readonly log: Logger,
    private readonly repos: EngineRepositories,
  ) {}

  state(): Promise<SchedulerState> {
    return this.repos.schedulerState.get();
  }

  async tick(): Promise<TickOutcome> {
    const state = await this.state();
    const outcome: TickOutcome = { paused: state.paused, accounts: 0, scheduled: 0, deferred: 0, exited: 0, recovered: 0 };
    if (!state.paused) {
      try {
        const scans = await this.scan.scanAll();
        for (const s of scans) {
          outcome.scheduled += s.scheduled;
          outcome.deferred += s.deferred;
          outcome.exited += s.exited;
        }
        outcome.accounts = scans.length;
        outcome.recovered = await this.recoverStalled();
      } catch (error) {
        await this.record({ ...outcome, error: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    }
    await this.record(outcome);
    if (outcome.scheduled || outcome.exited || outcome.recovered) this.log.info(outcome, 'scheduler scan');
    return outcome;
  }

  async setPaused(paused: boolean, reason: string | null): Promise<SchedulerState> {
    await this.repos.schedulerState.setPaused(paused, paused ? reason : null);
    return this.state();
  }

  /** Executions that should have run by now but have no live job: queue them again (bounded). */
  async recoverStalled(): Promise<number> {
    const now = this.clock.now();
    const ids = await this.repos.executions.stalledIds(now, new Date(now.getTime() - this.settings.leaseMs), this.settings.scanBatch);
    for (const id of ids) await this.scheduler.scheduleExecution(id, now);
    return ids.length;
  }

  private async record(outcome: Record<string, unknown>): Promise<void> {
    await this.repos.schedulerState.recordScan(this.clock.now(), outcome);
  }
}
