import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import { LinkedInAccount } from '../accounts/linkedin-account.entity';
import { Role } from '../auth/user.entity';
import type { Viewer } from '../auth/viewer';
import type { SchedulerService } from './scheduler.service';
import type { SchedulerStatus } from './scheduler.types';

/** What schedulerStatus shows: the shared scheduler row, this process's job queue, the workspace's senders. */
export class SchedulerStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerService,
    private readonly jobs: Agenda,
    private readonly info: { role: string; workerRunning: boolean; jobStore: string },
  ) {}

  async status(viewer: Viewer): Promise<SchedulerStatus> {
    const [state, overview, failed, accounts] = await Promise.all([
      this.scheduler.state(),
      this.jobs.getJobsOverview(),
      this.jobs.queryJobs({ state: 'failed', sort: { lastFinishedAt: 'desc' }, limit: 20 }),
      this.dataSource.getRepository(LinkedInAccount).find({ where: { workspaceId: viewer.workspaceId }, order: { createdAt: 'ASC' } }),
    ]);
    return {
      paused: state.paused,
      pausedReason: state.pausedReason,
      ...this.info,
      lastScanAt: state.lastScanAt,
      lastScanOutcome: state.lastScanOutcome,
      jobs: overview.map((o) => ({ name: o.name, queued: o.queued, scheduled: o.scheduled, running: o.running, failed: o.failed })),
      // Jobs are instance-wide: their failures (ids, errors) are shown to admins only.
      failures: viewer.role !== Role.ADMIN ? [] : failed.jobs.map((j) => ({
        name: j.name,
        failedAt: j.failedAt ? new Date(j.failedAt) : null,
        reason: j.failReason ?? null,
        failCount: j.failCount ?? 0,
        data: (j.data as Record<string, unknown> | undefined) ?? null,
      })),
      accounts: accounts.map((a) => ({
        accountId: a.id,
        displayName: a.displayName,
        status: a.status,
        nextSlotAt: a.nextSlotAt,
        cooldownUntil: a.cooldownUntil,
      })),
    };
  }

  async setPaused(viewer: Viewer, paused: boolean, reason: string | null): Promise<SchedulerStatus> {
    await this.scheduler.setPaused(paused, reason);
    return this.status(viewer);
  }
}
