import { EventEmitter } from 'node:events';
import type { Agenda, Job } from 'agenda';
import { AppMetrics } from '../../src/core/http/metrics';
import { observeJobs } from '../../src/core/http/metrics-jobs';
import { registerJobs } from '../../src/core/jobs/register-jobs';
import { createLogger } from '../../src/core/logger';

// Agenda is an EventEmitter that also collects definitions: enough of it for these two seams.
class FakeAgenda extends EventEmitter {
  readonly definitions = new Map<string, (job: Job<never>) => Promise<void>>();
  define(name: string, fn: (job: Job<never>) => Promise<void>): void {
    this.definitions.set(name, fn);
  }
}

const job = (name: string, id: string) =>
  ({ attrs: { _id: id, name, failCount: 1, lastRunAt: new Date(1_000), lastFinishedAt: new Date(3_500) } }) as unknown as Job<never>;

describe('job observability', () => {
  it('should count local job successes and failures by name, time them, and ignore events from other processes', async () => {
    const agenda = new FakeAgenda();
    const metrics = new AppMetrics({ defaultMetrics: false });
    const lines: string[] = [];
    observeJobs(agenda as unknown as Agenda, metrics, createLogger('info', { write: (l: string) => void lines.push(l) }));
    agenda.emit('success', job('outreach.scan', 'j1'));
    agenda.emit('success', job('outreach.scan', 'j2'), true);
    agenda.emit('fail', new Error('boom'), job('outreach.execute-step', 'j3'));
    agenda.emit('complete', job('outreach.scan', 'j1'));
    const text = await metrics.registry.metrics();
    expect(text).toContain('job_runs_total{name="outreach.scan",outcome="success"} 1');
    expect(text).toContain('job_runs_total{name="outreach.execute-step",outcome="fail"} 1');
    expect(text).toContain('job_duration_seconds_sum{name="outreach.scan"} 2.5');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ jobId: 'j3', jobName: 'outreach.execute-step', msg: 'job failed', error: 'boom' })]);
  });

  it('should put the job id and name on every line logged inside a job handler, and not outside', async () => {
    const agenda = new FakeAgenda();
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => void lines.push(l) });
    registerJobs(agenda as unknown as Agenda, [{ name: 'demo.job', handler: async () => log.info({ executionId: 'e1' }, 'inside') }]);
    await agenda.definitions.get('demo.job')!(job('demo.job', 'job-42'));
    log.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', jobId: 'job-42', jobName: 'demo.job', executionId: 'e1' });
    expect(outside.jobId).toBeUndefined();
  });
});
