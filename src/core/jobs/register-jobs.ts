import type { Agenda, BackoffStrategy, Job } from 'agenda';
import { jobLogContext } from './job-log-context';

export type JobDefinition = {
  name: string;
  // Handlers return their outcome; Agenda ignores it, tests and logs may use it.
  handler: (job: Job<never>) => Promise<unknown>;
  // backoff: Agenda retries a job whose handler throws, after the delay the strategy returns.
  options?: { concurrency?: number; lockLifetime?: number; priority?: number; backoff?: BackoffStrategy };
};

/** The one place that calls agenda.define: each module hands its job definitions here. */
export function registerJobs(agenda: Agenda, definitions: JobDefinition[]): void {
  for (const { name, handler, options } of definitions) {
    agenda.define(name, async (job: Job<never>) => {
      await jobLogContext.run({ jobId: String(job.attrs._id), jobName: name }, () => handler(job));
    }, options);
  }
}
