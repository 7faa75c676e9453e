import type { EntityManager } from 'typeorm';
import type { RunProgress, SyncParams } from './sync-progress';
import { type SyncKind, SyncRun, SyncRunStatus } from './sync-run.entity';

/** Sync runs and their progress (sync_run). */
export class SyncRunRepository {
  constructor(private readonly db: EntityManager) {}

  /** A new QUEUED run. */
  create(workspaceId: string, kind: SyncKind, params: SyncParams): Promise<SyncRun> {
    const runs = this.db.getRepository(SyncRun);
    return runs.save(runs.create({ workspaceId, kind, params, status: SyncRunStatus.QUEUED }));
  }

  findInWorkspace(workspaceId: string, id: string): Promise<SyncRun | null> {
    return this.db.getRepository(SyncRun).findOne({ where: { id, workspaceId } });
  }

  /** A run that exists (fails otherwise). */
  get(id: string): Promise<SyncRun> {
    return this.db.getRepository(SyncRun).findOneOrFail({ where: { id } });
  }

  /** The workspace's runs (of one kind, or all), newest first. */
  list(workspaceId: string, kind: SyncKind | null | undefined, first: number): Promise<SyncRun[]> {
    return this.db.getRepository(SyncRun).find({
      where: { workspaceId, ...(kind ? { kind } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: first,
    });
  }

  /** QUEUED → RUNNING; false when the run was not queued (finished, running, or unknown). */
  async claim(id: string, startedAt: Date): Promise<boolean> {
    const result = await this.db.getRepository(SyncRun).update({ id, status: SyncRunStatus.QUEUED }, { status: SyncRunStatus.RUNNING, startedAt });
    return result.affected === 1;
  }

  async saveProgress(id: string, p: RunProgress): Promise<void> {
    await this.db.query(
      `UPDATE sync_run SET processed = $2, total = $3, matched = $4, unmatched = $5, details = $6, unmatched_sample = $7, updated_at = now()
         WHERE id = $1`,
      [id, p.processed, p.total ?? null, p.matched, p.unmatched, JSON.stringify(p.details), JSON.stringify(p.unmatchedSample ?? [])],
    );
  }

  async markSucceeded(id: string, finishedAt: Date): Promise<void> {
    await this.db.getRepository(SyncRun).update(id, { status: SyncRunStatus.SUCCEEDED, finishedAt });
  }

  async markFailed(id: string, error: string, finishedAt: Date): Promise<void> {
    await this.db.getRepository(SyncRun).update(id, { status: SyncRunStatus.FAILED, error, finishedAt });
  }
}
