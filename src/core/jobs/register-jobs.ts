import type { Agenda, BackoffStrategy, Job } from 'agenda';
import { jobLogContext } from './job-log-context';

/** The row a job's data names (`data[key]`, an id of `table`, which has a workspace_id column). */
export type WorkspaceRow = { key: string; table: string };

export type JobDefinition = {
  name: string;
  // A job that carries one workspace's work says which row it works on: that workspace's admins see it.
  workspaceRow?: WorkspaceRow;
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
