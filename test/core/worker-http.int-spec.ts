import { type TestApp, startTestApp } from '../support/test-app';
import { spawnWorker, stopProcess } from '../support/worker-process';
import { waitFor } from '../support/polling';

describe('a worker process', () => {
  it('should serve health, readiness and its job metrics, and no API', async () => {
    const t: TestApp = await startTestApp();
    const worker = spawnWorker(t, { LOG_LEVEL: 'info', SCAN_INTERVAL: '1s' });
    try {
      const base = await waitFor(() => /"url":"(http:\/\/[^"]+)\/metrics"/.exec(worker.output())?.[1], 60_000, 'the worker to listen');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ok' });
      // Its recurring scan runs every second: job counters appear.
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return /job_runs_total\{[^}]*outreach\.scan/.test(text) ? text : undefined;
      }, 20_000, 'scan job metrics');
      expect(metrics).toContain('# TYPE job_runs_total counter');
      expect((await fetch(`${base}/graphql`, { method: 'POST' })).status).toBe(404);
    } finally {
      await stopProcess(worker);
      await t.stop();
    }
  }, 90_000);
});
