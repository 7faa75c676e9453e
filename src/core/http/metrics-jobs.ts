import type { Agenda, JobWithId } from 'agenda';
import type { Logger } from '../logger';
import type { AppMetrics } from './metrics';

/**
 * Counts and times the jobs this process runs (events re-emitted from other processes are left to
 * those processes' metrics) and logs each failure with the job id.
 */
export function observeJobs(agenda: Agenda, metrics: AppMetrics, log: Logger): void {
  agenda.on('success', (job: JobWithId, remote?: false) => {
    if (!remote) metrics.jobRuns.inc({ name: job.attrs.name, outcome: 'success' });
  });
  agenda.on('fail', (error: Error, job: JobWithId, remote?: false) => {
    if (remote) return;
    metrics.jobRuns.inc({ name: job.attrs.name, outcome: 'fail' });
    log.warn({ jobId: String(job.attrs._id), jobName: job.attrs.name, failCount: job.attrs.failCount, error: error.message }, 'job failed');
  });
  agenda.on('complete', (job: JobWithId, remote?: false) => {
    const { lastRunAt, lastFinishedAt, name } = job.attrs;
    if (remote || !lastRunAt || !lastFinishedAt) return;
    metrics.jobDuration.observe({ name }, Math.max(0, lastFinishedAt.getTime() - lastRunAt.getTime()) / 1000);
  });
}
