import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Viewer } from '../../core/graphql/viewer';
import type { ProgressReporter, SyncParams, SyncRunner } from './sync-progress';
import { SyncKind, SyncRun, SyncRunStatus } from './sync-run.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SyncRunQueue = { enqueue(runId: string): Promise<void> };

/**
 * Starts, runs and reports sync runs. A run is a sync_run row: queued (an Agenda job runs it) or,
 * when the caller waits, run in the request; its progress is written as it goes.
 */
export class SyncService {
  private readonly log: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runners: Record<SyncKind, SyncRunner>,
    private readonly queue: SyncRunQueue,
    private readonly clock: Clock,
    log: Logger,
  ) {
    this.log = log.child({ module: 'sync' });
  }

  private get runs() {
    return this.dataSource.getRepository(SyncRun);
  }

  async start(viewer: Viewer, kind: SyncKind, params: SyncParams, wait: boolean): Promise<SyncRun> {
    await this.checkScope(viewer.workspaceId, params);
    const run = await this.create(viewer.workspaceId, kind, params);
    if (wait) return this.execute(run.id);
    await this.queue.enqueue(run.id);
    return run;
  }

  async get(viewer: Viewer, id: string): Promise<SyncRun> {
    const run = await this.runs.findOne({ where: { id, workspaceId: viewer.workspaceId } });
    if (!run) throw new NotFoundError('Sync run', id);
    return run;
  }

  list(viewer: Viewer, kind: SyncKind | null | undefined, first: number): Promise<SyncRun[]> {
    return this.runs.find({
      where: { workspaceId: viewer.workspaceId, ...(kind ? { kind } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: first,
    });
  }

  /** Runs a queued run to its end (the job handler); a finished or unknown run is left alone. */
  async execute(runId: string): Promise<SyncRun> {
    const claimed = await this.runs.update({ id: runId, status: SyncRunStatus.QUEUED }, { status: SyncRunStatus.RUNNING, startedAt: this.clock.now() });
    const run = await this.runs.findOneOrFail({ where: { id: runId } });
    if (claimed.affected !== 1) return run;
    const report: ProgressReporter = async (p) => {
      await this.dataSource.query(
        `UPDATE sync_run SET processed = $2, total = $3, matched = $4, unmatched = $5, details = $6, unmatched_sample = $7, updated_at = now()
         WHERE id = $1`,
        [runId, p.processed, p.total ?? null, p.matched, p.unmatched, JSON.stringify(p.details), JSON.stringify(p.unmatchedSample ?? [])],
      );
    };
    try {
      const final = await this.runners[run.kind](run, report);
      await report(final);
      await this.runs.update(runId, { status: SyncRunStatus.SUCCEEDED, finishedAt: this.clock.now() });
    } catch (error) {
      this.log.error({ err: error, runId, kind: run.kind }, 'sync run failed');
      await this.runs.update(runId, { status: SyncRunStatus.FAILED, error: error instanceof Error ? error.message : String(error), finishedAt: this.clock.now() });
    }
    return this.runs.findOneOrFail({ where: { id: runId } });
  }

  /** The nightly job: the conversation and rate-usage backfills of every workspace with senders. */
  async nightly(): Promise<SyncRun[]> {
    const workspaces: Array<{ workspace_id: string }> = await this.dataSource.query(`SELECT DISTINCT workspace_id FROM linkedin_account`);
    const done: SyncRun[] = [];
    for (const { workspace_id } of workspaces) {
      for (const kind of [SyncKind.CONVERSATIONS, SyncKind.RATE_USAGE]) {
        done.push(await this.execute((await this.create(workspace_id, kind, {})).id));
      }
    }
    return done;
  }

  private create(workspaceId: string, kind: SyncKind, params: SyncParams): Promise<SyncRun> {
    return this.runs.save(this.runs.create({ workspaceId, kind, params, status: SyncRunStatus.QUEUED }));
  }

  private async checkScope(workspaceId: string, params: SyncParams): Promise<void> {
    for (const [table, id, what] of [
      ['campaign', params.campaignId, 'Campaign'],
      ['linkedin_account', params.accountId, 'Account'],
    ] as const) {
      if (!id) continue;
      if (!UUID.test(id)) throw new NotFoundError(what, id);
      const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${table} WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
      if (rows.length === 0) throw new NotFoundError(what, id);
    }
  }
}
