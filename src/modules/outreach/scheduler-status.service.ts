import type { Agenda, JobWithState } from 'agenda';
import type { WorkspaceJobs } from '../../core/jobs/workspace-jobs';
import type { TransactionRunner } from '../../core/db/transaction';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { AccountRepository } from '../accounts';
import type { EngineRepositories } from './engine-repositories';
import type { SchedulerService } from './scheduler.service';
import type { JobCounts, JobFailure, SchedulerStatus } from './scheduler.types';

const MAX_FAILURES = 20;

/**
 * What schedulerStatus shows, and the two pauses. An instance operator sees the instance: every
 * job, every failure, the last scan's totals. Everyone else sees their workspace: the jobs that
 * carry its work (failures for its admins only), its senders, and both pauses that hold it.
 */
export class SchedulerStatusService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly repos: { engine: EngineRepositories; accounts: AccountRepository; workspaceJobs: WorkspaceJobs },
    private readonly scheduler: SchedulerService,
    private readonly jobs: Agenda,
    private readonly info: { role: string; workerRunning: boolean; jobStore: string },
    /** Asks the engine for a scan soon (after a workspace's sending resumes). */
    private readonly wake: () => void = () => undefined,
  ) {}

  async status(viewer: Viewer): Promise<SchedulerStatus> {
    const [state, workspace, accounts, jobs] = await Promise.all([
      this.scheduler.state(),
      this.repos.engine.schedulerState.workspace(viewer.workspaceId),
      this.repos.accounts.listByWorkspace(viewer.workspaceId),
      viewer.operator ? this.instanceJobs() : this.ownJobs(viewer),
    ]);
    return {
      paused: state.paused,
      pausedReason: state.pausedReason,
      workspacePaused: workspace.sendingPaused,
      workspacePausedReason: workspace.sendingPausedReason,
      ...this.info,
      lastScanAt: state.lastScanAt,
      // The totals (and errors) of a scan over every workspace: the operator's.
      lastScanOutcome: viewer.operator ? state.lastScanOutcome : null,
      jobs: jobs.counts,
      // Failures carry job data and errors: admins (their workspace's), operators (all).
      failures: viewer.role === Role.ADMIN ? jobs.failures : [],
      accounts: accounts.map((a) => ({
        accountId: a.id,
        displayName: a.displayName,
        status: a.status,
        nextSlotAt: a.nextSlotAt,
        cooldownUntil: a.cooldownUntil,
      })),
    };
  }

  /** The instance-wide pause (operators): no scan schedules work and no step is sent, in any workspace. */
  async setPaused(viewer: Viewer, paused: boolean, reason: string | null): Promise<SchedulerStatus> {
    await this.scheduler.setPaused(paused, reason);
    return this.status(viewer);
  }

  /**
   * The workspace's own pause (its admins): its active leads stop being due (waiting reason
   * WORKSPACE_PAUSED) and a step already queued is skipped rather than sent; resuming makes them
   * due again as their sequences say, and wakes the engine.
   */
  async setWorkspacePaused(viewer: Viewer, paused: boolean, reason: string | null): Promise<SchedulerStatus> {
    await this.db.transaction(async (em) => {
      const tx = this.repos.engine.withManager(em);
      await tx.schedulerState.setWorkspacePaused(viewer.workspaceId, paused, paused ? reason : null);
      for (const id of await tx.campaigns.activeCampaignIds(viewer.workspaceId)) await tx.leads.reschedule(id);
    });
    if (!paused) this.wake();
    return this.status(viewer);
  }

  private async instanceJobs(): Promise<{ counts: JobCounts[]; failures: JobFailure[] }> {
    const [overview, failed] = await Promise.all([
      this.jobs.getJobsOverview(),
      this.jobs.queryJobs({ state: 'failed', sort: { lastFinishedAt: 'desc' }, limit: MAX_FAILURES }),
    ]);
    return {
      counts: overview.map((o) => ({ name: o.name, queued: o.queued, scheduled: o.scheduled, running: o.running, failed: o.failed })),
      failures: failed.jobs.map(failure),
    };
  }

  private async ownJobs(viewer: Viewer): Promise<{ counts: JobCounts[]; failures: JobFailure[] }> {
    const jobs = await this.repos.workspaceJobs.of(viewer.workspaceId);
    const counts = new Map<string, JobCounts>();
    for (const job of jobs) {
      const c = counts.get(job.name) ?? { name: job.name, queued: 0, scheduled: 0, running: 0, failed: 0 };
      counts.set(job.name, c);
      if (job.state === 'queued' || job.state === 'scheduled' || job.state === 'running' || job.state === 'failed') c[job.state] += 1;
    }
    const failures = jobs
      .filter((j) => j.state === 'failed')
      .sort((a, b) => time(b.lastFinishedAt) - time(a.lastFinishedAt))
      .slice(0, MAX_FAILURES)
      .map(failure);
    return { counts: [...counts.values()].sort((a, b) => a.name.localeCompare(b.name)), failures };
  }
}

const time = (d: Date | string | undefined | null): number => (d ? new Date(d).getTime() : 0);

const failure = (j: JobWithState): JobFailure => ({
  name: j.name,
  failedAt: j.failedAt ? new Date(j.failedAt) : null,
  reason: j.failReason ?? null,
  failCount: j.failCount ?? 0,
  data: (j.data as Record<string, unknown> | undefined) ?? null,
});
