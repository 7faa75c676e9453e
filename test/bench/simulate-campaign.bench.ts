import { LoginDocument, SimulateCampaignDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { buildCampaignWorld } from '../support/engine-harness';
import { BENCH_ADMIN, startBenchApp } from './support/bench-app';
import { median, recordResults } from './support/results';

// simulateCampaign as a client calls it: (a) one campaign of 5,000 leads over 90 days, wall time
// of the GraphQL call (target ≤ 5 s); (b) the API's responsiveness while three dry runs of
// 100 leads × 10 days run at once (issue 18, item 6): /healthz latency sampled every 20 ms, and
// the process's peak RSS (the runs' worker threads included).
const int = (name: string, fallback: number) => Number.parseInt(process.env[name] ?? '', 10) || fallback;
const LEADS = int('BENCH_LEADS', 5_000);
const DAYS = int('BENCH_DAYS', 90);
const SENDERS = int('BENCH_SENDERS', 10);
const RUNS = int('BENCH_RUNS', 3);
const TARGET_S = 5;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function main(): Promise<void> {
  const bench = await startBenchApp({ env: { SIMULATION_MAX_PER_WORKSPACE: '3', SIMULATION_MAX_CONCURRENT: '3' } });
  try {
    const { login } = await gqlOk(bench.graphqlUrl, LoginDocument, BENCH_ADMIN);
    const target = { graphqlUrl: bench.graphqlUrl, token: login.token, sandbox: bench.app.sandbox! };
    const big = await buildCampaignWorld(target, { accounts: Array.from({ length: SENDERS }, () => ({ timezone: 'Europe/Paris' })), leads: LEADS, name: 'Big' });
    const small: string[] = [];
    for (let i = 0; i < 3; i++) {
      const world = await buildCampaignWorld(target, { accounts: [{ timezone: 'UTC' }], leads: 100, name: `Small ${i}` });
      small.push(world.campaignIds[0]);
    }

    // (a) The big one, RUNS times.
    const times: number[] = [];
    let last: { invitesSent: number; messagesSent: number; acceptances: number; replies: number; timeline: unknown[] } | undefined;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const { simulateCampaign } = await gqlOk(bench.graphqlUrl, SimulateCampaignDocument, { campaignId: big.campaignIds[0], days: DAYS }, login.token);
      times.push((performance.now() - started) / 1000);
      last = simulateCampaign;
    }

    // (b) Three small ones at once, /healthz sampled meanwhile.
    const latencies: number[] = [];
    let peakRss = process.memoryUsage().rss;
    let running = 3;
    const runs = small.map((campaignId) =>
      gqlOk(bench.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 10 }, login.token).finally(() => (running -= 1)),
    );
    const rssBefore = process.memoryUsage().rss;
    const startedB = performance.now();
    while (running > 0) {
      const t0 = performance.now();
      await fetch(`${bench.app.url}/healthz`);
      latencies.push(performance.now() - t0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(runs);
    const threeS = (performance.now() - startedB) / 1000;

    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    recordResults(
      'simulate-campaign',
      [
        '## simulateCampaign (`npm run bench:simulate-campaign`)',
        '',
        `(a) One campaign of ${LEADS.toLocaleString('en')} leads on ${SENDERS} senders (default caps and hours), the default 4-step sequence, ${DAYS} days: the GraphQL call as a client makes it (the dry run in memory in a worker thread, against the sandbox's LinkedIn in-process), ${RUNS} runs.`,
        '',
        '| median wall time | target | runs (s) | invites | messages | acceptances | replies | timeline events |',
        '|---|---|---|---|---|---|---|---|',
        `| ${median(times).toFixed(2)} s | ≤ ${TARGET_S} s ${median(times) <= TARGET_S ? '✓' : '✗'} | ${times.map((t) => t.toFixed(2)).join(', ')} | ${last!.invitesSent} | ${last!.messagesSent} | ${last!.acceptances} | ${last!.replies} | ${last!.timeline.length} |`,
        '',
        `(b) Three dry runs of 100 leads × 10 days at once (one sender each), ${latencies.length} \`GET /healthz\` while they ran (${threeS.toFixed(1)} s): p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (target p99 < 100 ms ${quantile(latencies, 0.99) < 100 ? '✓' : '✗'}); process RSS ${mb(rssBefore)} before, peak ${mb(peakRss)} (API, engine, sandbox and the three worker threads).`,
      ].join('\n'),
    );
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
