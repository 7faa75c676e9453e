import type { Agenda, Job } from 'agenda';

export type JobDefinition = {
  name: string;
  // Handlers return their outcome; Agenda ignores it, tests and logs may use it.
  handler: (job: Job<never>) => Promise<unknown>;
  options?: { concurrency?: number; lockLifetime?: number; priority?: number };
};

/** The one place that calls agenda.define: each module hands its job definitions here. */
export function registerJobs(agenda: Agenda, definitions: JobDefinition[]): void {
  for (const { name, handler, options } of definitions) {
    agenda.define(name, async (job: Job<never>) => {
      await handler(job);
    }, options);
  }
}
