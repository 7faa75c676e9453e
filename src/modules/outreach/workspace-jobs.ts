import type { Agenda, JobWithState } from 'agenda';
import { DELIVER_NOTIFICATION_JOB } from '../notifications/jobs/notification.jobs';
import { RECONCILE_ACCOUNT_JOB, SYNC_RUN_JOB } from '../sync/jobs/sync.jobs';
import type { WorkspaceJobsRepository } from './workspace-jobs.repository';

// The jobs that carry one workspace's work, and the row their data names. The others (scans,
// drains, the nightly sync) serve every workspace at once: instance-wide. (Step executions are
// not jobs: they wait in step_execution for the dispatcher.)
const SCOPED: Record<string, { key: string; table: string }> = {
  [SYNC_RUN_JOB]: { key: 'runId', table: 'sync_run' },
  [RECONCILE_ACCOUNT_JOB]: { key: 'accountId', table: 'linkedin_account' },
  [DELIVER_NOTIFICATION_JOB]: { key: 'deliveryId', table: 'notification_delivery' },
};
const TABLES = [...new Set(Object.values(SCOPED).map((s) => s.table))];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const idOf = (job: JobWithState): string | undefined => {
  const spec = SCOPED[job.name];
  const id = spec ? (job.data as Record<string, unknown> | undefined)?.[spec.key] : undefined;
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : undefined;
};

/**
 * The Agenda jobs (queued, scheduled, running, failed: finished ones are removed) whose data
 * names a row of this workspace: its sync runs, sender reconciliations and
 * notification deliveries. One query of the job store and one of ours, whatever the job store.
 */
export async function workspaceJobs(agenda: Agenda, rows: WorkspaceJobsRepository, workspaceId: string): Promise<JobWithState[]> {
  const { jobs } = await agenda.queryJobs({ names: Object.keys(SCOPED) });
  const ids = new Map<string, string[]>(TABLES.map((t) => [t, []]));
  for (const job of jobs) {
    const id = idOf(job);
    if (id) ids.get(SCOPED[job.name].table)!.push(id);
  }
  if ([...ids.values()].every((list) => list.length === 0)) return [];
  const mine = await rows.idsInWorkspace(workspaceId, ids);
  return jobs.filter((job) => {
    const id = idOf(job);
    return id !== undefined && mine.has(id);
  });
}
