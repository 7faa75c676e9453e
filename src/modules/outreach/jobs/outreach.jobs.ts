import type { Job } from 'agenda';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import type { ScanService } from '../scan.service';
import type { SchedulerService } from '../scheduler.service';

export const SCAN_JOB = 'outreach.scan';
/** The job of each step execution before executions were dispatched in batches: cancelled at start. */
export const LEGACY_EXECUTE_STEP_JOB = 'outreach.execute-step';

/** `fresh`: asked for by wake() (new leads, an activation): scan without the scan memos. */
export type ScanJobData = { fresh?: boolean } | undefined;

/** The engine's job: the recurring scan. Executions run through the dispatcher (execution-dispatcher.ts). */
export function outreachJobs(scheduler: SchedulerService, scan: ScanService): JobDefinition[] {
  return [
    {
      name: SCAN_JOB,
      handler: (job: Job<ScanJobData>) => {
        if (job.attrs.data?.fresh) scan.forget();
        return scheduler.tick();
      },
      options: { concurrency: 1 },
    },
  ];
}
