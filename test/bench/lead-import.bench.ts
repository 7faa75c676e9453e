import { BENCH_ADMIN, call, startBenchApp } from './support/bench-app';
import { median, recordResults } from './support/results';

// Bulk lead import through the API: 10,000 leads per call, as CSV text and as a list input,
// into a fresh campaign each time (dedupe, do-not-contact check, insert, events, scheduling).
const LEADS = 10_000;
const RUNS = 3;

async function main(): Promise<void> {
  const bench = await startBenchApp();
  try {
    const { login } = await call<{ login: { token: string } }>(
      bench.graphqlUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
      { e: BENCH_ADMIN.email, p: BENCH_ADMIN.password },
    );
    const token = login.token;
    const timings: Record<'csv' | 'list', number[]> = { csv: [], list: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['csv', 'list'] as const) {
        const { createCampaign } = await call<{ createCampaign: { id: string } }>(
          bench.graphqlUrl,
          'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
          { i: { name: `bench ${mode} ${run}` } },
          token,
        );
        const people = Array.from({ length: LEADS }, (_, i) => ({
          publicIdentifier: `bench-${mode}-${run}-${i}`,
          firstName: `First${i}`,
          lastName: `Last${i}`,
          company: `Company ${i % 100}`,
        }));
        const started = performance.now();
        const result =
          mode === 'csv'
            ? (
                await call<{ importLeadsCsv: { created: number } }>(
                  bench.graphqlUrl,
                  'mutation($c: ID!, $csv: String!) { importLeadsCsv(campaignId: $c, csv: $csv) { created } }',
                  {
                    c: createCampaign.id,
                    csv: ['public_identifier,first_name,last_name,company', ...people.map((p) => `${p.publicIdentifier},${p.firstName},${p.lastName},${p.company}`)].join('\n'),
                  },
                  token,
                )
              ).importLeadsCsv
            : (
                await call<{ addLeads: { created: number } }>(
                  bench.graphqlUrl,
                  'mutation($c: ID!, $l: [LeadInput!]!) { addLeads(campaignId: $c, leads: $l) { created } }',
                  { c: createCampaign.id, l: people },
                  token,
                )
              ).addLeads;
        timings[mode].push(performance.now() - started);
        if (result.created !== LEADS) throw new Error(`expected ${LEADS} created, got ${result.created}`);
      }
    }
    const row = (mode: 'csv' | 'list', label: string) => {
      const ms = median(timings[mode]);
      return `| ${label} | ${LEADS.toLocaleString('en')} | ${Math.round(ms)} ms | ${Math.round((LEADS / ms) * 1000).toLocaleString('en')} leads/s | ${timings[mode].map((t) => Math.round(t)).join(', ')} |`;
    };
    recordResults(
      'lead-import',
      [
        '## Lead import (`npm run bench:lead-import`)',
        '',
        `One GraphQL call per import into a fresh campaign, local Postgres; median of ${RUNS} runs (all runs in ms at the end).`,
        '',
        '| input | leads | median wall time | throughput | runs (ms) |',
        '|---|---|---|---|---|',
        row('csv', '`importLeadsCsv` (CSV text)'),
        row('list', '`addLeads` (list input)'),
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
