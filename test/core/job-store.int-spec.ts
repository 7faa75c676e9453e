import type { Job } from 'agenda';
import { type TestApp, startTestApp } from '../support/test-app';

// The same job-queue code on both stores: Postgres (default) and MongoDB (MONGODB_URL).
const mongoUrl = process.env.OUTREACH_TEST_MONGODB;
const stores: Array<[string, Record<string, string>]> = [['postgres', {}]];
if (mongoUrl) stores.push(['mongodb', { MONGODB_URL: mongoUrl }]);

describe.each(stores)('job store on %s', (_name, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(env, { role: 'all' });
  });
  afterAll(() => t.stop());

  it('should be reported ready and run a queued job once', async () => {
    const ready = (await (await fetch(`${t.baseUrl}/readyz`)).json()) as { checks: { jobStore: unknown } };
    expect(ready.checks.jobStore).toEqual({ status: 'ok' });

    const runs: string[] = [];
    const done = new Promise<void>((resolve) => {
      t.app.jobs.define('test.probe', async (job: Job<{ marker: string }>) => {
        runs.push(job.attrs.data.marker);
        resolve();
      });
    });
    await t.app.jobs.now('test.probe', { marker: `m-${Date.now()}` });
    await done;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^m-\d+$/);
  });
});

if (!mongoUrl) {
  describe('job store on mongodb', () => {
    it.skip('needs a reachable MongoDB in MONGODB_URL (none can be installed on this machine)', () => undefined);
  });
}
