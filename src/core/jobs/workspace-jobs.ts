import type { Agenda, JobWithState } from 'agenda';
import type { JobDefinition, WorkspaceRow } from './register-jobs';
import type { WorkspaceJobsRepository } from './workspace-jobs.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Agenda jobs that carry one workspace's work: those whose definition names a workspace row
 * (`workspaceRow`: a sync run, a sender reconciliation, a notification delivery). The others
 * (scans, drains, the nightly sync) serve every workspace at once: instance-wide. Modules declare
 * it on their job definitions; the app hands them all here once the modules are built.
 */
export class WorkspaceJobs {
  private scoped = new Map<string, WorkspaceRow>();

  constructor(
    private readonly agenda: Agenda,
    private readonly rows: WorkspaceJobsRepository,
  ) {}

  /** Learns which jobs name a workspace row (the definitions of every module). */
  track(definitions: JobDefinition[]): void {
    this.scoped = new Map(definitions.flatMap((d) => (d.workspaceRow ? [[d.name, d.workspaceRow] as const] : [])));
  }

  /**
   * The jobs (queued, scheduled, running, failed: finished ones are removed) whose data names a
   * row of this workspace. One query of the job store and one of ours, whatever the job store.
   */
  async of(workspaceId: string): Promise<JobWithState[]> {
    if (this.scoped.size === 0) return [];
    const { jobs } = await this.agenda.queryJobs({ names: [...this.scoped.keys()] });
    const ids = new Map<string, string[]>();
    for (const job of jobs) {
      const id = this.idOf(job);
      if (!id) continue;
      const { table } = this.scoped.get(job.name)!;
      ids.set(table, [...(ids.get(table) ?? []), id]);
    }
    if (ids.size === 0) return [];
    const mine = await this.rows.idsInWorkspace(workspaceId, ids);
    return jobs.filter((job) => {
      const id = this.idOf(job);
      return id !== undefined && mine.has(id);
    });
  }

  private idOf(job: JobWithState): string | undefined {
    const row = this.scoped.get(job.name);
    const id = row ? (job.data as Record<string, unknown> | undefined)?.[row.key] : undefined;
    return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : undefined;
  }
}
