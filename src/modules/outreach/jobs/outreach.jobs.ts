import type { Agenda, Job } from 'agenda';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import type { ExecutionScheduler } from '../engine-settings';
import type { ExecuteStepService } from '../execute-step.service';
import type { ScanService } from '../scan.service';
import type { SchedulerService } from '../scheduler.service';

export const SCAN_JOB = 'outreach.scan';
export const EXECUTE_STEP_JOB = 'outreach.execute-step';

export type ExecuteStepJobData = { executionId: string };
/** `fresh`: asked for by wake() (new leads, an activation): scan without the scan memos. */
export type ScanJobData = { fresh?: boolean } | undefined;

/** The engine's two jobs: the recurring scan, and one run per step execution (id-only payload). */
export function outreachJobs(scheduler: SchedulerService, executor: ExecuteStepService, scan: ScanService): JobDefinition[] {
  return [
    {
      name: SCAN_JOB,
      handler: (job: Job<ScanJobData>) => {
        if (job.attrs.data?.fresh) scan.forget();
        return scheduler.tick();
      },
      options: { concurrency: 1 },
    },
    {
      name: EXECUTE_STEP_JOB,
      handler: (job: Job<ExecuteStepJobData>) => executor.execute(job.attrs.data.executionId),
      options: { concurrency: 10 },
    },
  ];
}

/** Step executions run as Agenda jobs at their scheduled time. */
export const agendaExecutionScheduler = (agenda: Agenda): ExecutionScheduler => ({
  async scheduleExecution(executionId, at) {
    await agenda.schedule(at, EXECUTE_STEP_JOB, { executionId } satisfies ExecuteStepJobData);
  },
});
