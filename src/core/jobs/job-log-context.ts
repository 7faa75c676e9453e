import { AsyncLocalStorage } from 'node:async_hooks';

export type JobLogFields = { jobId: string; jobName: string };

/**
 * The job a piece of code runs for: set around each handler by registerJobs and mixed into every
 * log line by the logger, so services log the job id without passing it around.
 */
export const jobLogContext = new AsyncLocalStorage<JobLogFields>();
