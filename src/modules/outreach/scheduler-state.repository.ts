import type { EntityManager } from 'typeorm';
import { Workspace } from '../auth';
import { SchedulerState } from './scheduler-state.entity';

/** The scheduler's own row (scheduler_state: the instance-wide pause, the last scan) and the workspaces' sending pauses. */
export class SchedulerStateRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): SchedulerStateRepository {
    return new SchedulerStateRepository(em);
  }

  get(): Promise<SchedulerState> {
    return this.db.getRepository(SchedulerState).findOneByOrFail({ id: 1 });
  }

  async setPaused(paused: boolean, reason: string | null): Promise<void> {
    await this.db.getRepository(SchedulerState).update({ id: 1 }, { paused, pausedReason: reason });
  }

  /** The last scan: when, and what it did (or the error that stopped it). */
  async recordScan(at: Date, outcome: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE scheduler_state SET last_scan_at = $1, last_scan_outcome = $2 WHERE id = 1`, [at, outcome]);
  }

  /** The workspace (its sending pause); it must exist. */
  workspace(workspaceId: string): Promise<Workspace> {
    return this.db.getRepository(Workspace).findOneByOrFail({ id: workspaceId });
  }

  async setWorkspacePaused(workspaceId: string, paused: boolean, reason: string | null): Promise<void> {
    await this.db.update(Workspace, workspaceId, { sendingPaused: paused, sendingPausedReason: reason });
  }
}
