import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Viewer } from '../../core/graphql/viewer';
import type { SyncAccountsRepository } from './sync-accounts.repository';
import type { ProgressReporter, SyncParams, SyncRunner } from './sync-progress';
import { SyncKind, type SyncRun } from './sync-run.entity';
import type { SyncRunRepository } from './sync-run.repository';
import type { SyncScopeRepository } from './sync-scope.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SyncRunQueue = { enqueue(runId: string): Promise<void> };

/**
 * Starts, runs and reports sync runs. A run is a sync_run row: queued (an Agenda job runs it) or,
 * when the caller waits, run in the request; its progress is written as it goes.
 */
export class SyncService {
  private readonly log: Logger;

  constructor(
    private readonly runs: SyncRunRepository,
    private readonly scope: SyncScopeRepository,
    private readonly accounts: SyncAccountsRepository,
    private readonly runners: Record<SyncKind, SyncRunner>,
    private readonly queue: SyncRunQueue,
    private readonly clock: Clock,
    log: Logger,
  ) {
    this.log = log.child({ module: 'sync' });
  }

  async start(viewer: Viewer, kind: SyncKind, params: SyncParams, wait: boolean): Promise<SyncRun> {
    await this.checkScope(viewer.workspaceId, params);
    const run = await this.create(viewer.workspaceId, kind, params);
    if (wait) return this.execute(run.id);
    await this.queue.enqueue(run.id);
    return run;
  }

  async get(viewer: Viewer, id: string): Promise<SyncRun> {
    const run = await this.runs.findInWorkspace(viewer.workspaceId, id);
    if (!run) throw new NotFoundError('Sync run', id);
    return run;
  }

  list(viewer: Viewer, kind: SyncKind | null | undefined, first: number): Promise<SyncRun[]> {
    return this.runs.list(viewer.workspaceId, kind, first);
  }

  /** Runs a queued run to its end (the job handler); a finished or unknown run is left alone. */
  async execute(runId: string): Promise<SyncRun> {
    const claimed = await this.runs.claim(runId, this.clock.now());
    const run = await this.runs.get(runId);
    if (!claimed) return run;
    const report: ProgressReporter = (p) => this.runs.saveProgress(runId, p);
    try {
      const final = await this.runners[run.kind](run, report);
      await report(final);
      await this.runs.markSucceeded(runId, this.clock.now());
    } catch (error) {
      this.log.error({ err: error, runId, kind: run.kind }, 'sync run failed');
      await this.runs.markFailed(runId, error instanceof Error ? error.message : String(error), this.clock.now());
    }
    return this.runs.get(runId);
  }

  /** The nightly job: the conversation and rate-usage backfills of every workspace with senders. */
  async nightly(): Promise<SyncRun[]> {
    const workspaces = await this.accounts.workspacesWithSenders();
    const done: SyncRun[] = [];
    for (const workspaceId of workspaces) {
      for (const kind of [SyncKind.CONVERSATIONS, SyncKind.RATE_USAGE]) {
        done.push(await this.execute((await this.create(workspaceId, kind, {})).id));
      }
    }
    return done;
  }

  private create(workspaceId: string, kind: SyncKind, params: SyncParams): Promise<SyncRun> {
    return this.runs.create(workspaceId, kind, params);
  }

  /** The campaign and the account a run is scoped to must be the workspace's. */
  private async checkScope(workspaceId: string, params: SyncParams): Promise<void> {
    for (const [id, what, inWorkspace] of [
      [params.campaignId, 'Campaign', (id: string) => this.scope.campaignInWorkspace(workspaceId, id)],
      [params.accountId, 'Account', (id: string) => this.scope.accountInWorkspace(workspaceId, id)],
    ] as const) {
      if (!id) continue;
      if (!UUID.test(id) || !(await inWorkspace(id))) throw new NotFoundError(what, id);
    }
  }
}
