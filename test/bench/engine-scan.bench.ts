import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../src/core/clock';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import { DUE_LEADS_SQL, ScanRepository } from '../../src/modules/outreach/scan.repository';
import { ScanService } from '../../src/modules/outreach/scan.service';
import { startBenchApp } from './support/bench-app';
import { median, recordResults } from './support/results';

// The cost of one engine scan of an account as its total leads grow with the due set fixed:
// it must stay flat (O(due)), because selection is a range scan of the partial index
// IDX_lead_due and everything else is bounded by the due batch.
const SIZES = [10_000, 100_000, 1_000_000];
const DUE = 100;
const RUNS = 7;

async function main(): Promise<void> {
  // API role: the app's own recurring scan (on the system clock, past the bench's `now`) would
  // take the due leads before the measured scan does.
  const bench = await startBenchApp({ app: { role: 'api' } });
  const db = bench.app.dataSource;
  const rows: string[] = [];
  try {
    const [{ id: workspaceId }] = await db.query(`SELECT id FROM workspace LIMIT 1`);
    const accountId = randomUUID();
    const campaignId = randomUUID();
    await db.query(
      `INSERT INTO linkedin_account (id, workspace_id, unipile_account_id, owner_provider_id, display_name,
         daily_invite_cap, weekly_invite_cap, work_start_minute, work_end_minute, working_days)
       VALUES ($1, $2, 'bench-scan', 'ACoAABenchOwner', 'Bench', 200, 1000, 0, 1440, '{1,2,3,4,5,6,7}')`,
      [accountId, workspaceId],
    );
    await db.query(`INSERT INTO campaign (id, workspace_id, name, status, sequence_version) VALUES ($1, $2, 'scan bench', 'ACTIVE', 1)`, [
      campaignId,
      workspaceId,
    ]);
    await db.query(`INSERT INTO sequence_step (campaign_id, version, step_index, kind, delay_minutes) VALUES ($1, 1, 0, 'INVITE', 0)`, [
      campaignId,
    ]);
    const now = new Date('2026-06-01T10:00:00.000Z');
    const scan = new ScanService(db, new ScanRepository(db.manager), new VirtualClock(now), { ...DEFAULT_ENGINE_SETTINGS, jitterMs: 0 }, { scheduleExecution: async () => undefined });

    let inserted = 0;
    for (const size of SIZES) {
      // Not-due leads: half with nothing scheduled, half due in the future.
      await db.query(
        `INSERT INTO lead (workspace_id, campaign_id, account_id, public_identifier, next_action_at)
         SELECT $1, $2, $3, 'scan-' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE $4::timestamptz + g * interval '1 second' END
         FROM generate_series($5::int, $6::int) g`,
        [workspaceId, campaignId, accountId, new Date('2027-01-01T00:00:00Z'), inserted + 1, size - DUE],
      );
      inserted = size - DUE;
      await db.query(`DELETE FROM lead WHERE public_identifier LIKE 'due-%'`);
      await db.query(
        `INSERT INTO lead (workspace_id, campaign_id, account_id, public_identifier, next_action_at)
         SELECT $1, $2, $3, 'due-' || g, $4::timestamptz - g * interval '1 minute' FROM generate_series(1, $5::int) g`,
        [workspaceId, campaignId, accountId, now, DUE],
      );
      await db.query('VACUUM ANALYZE lead');
      const selectMs: number[] = [];
      const scanMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        // The same due set every run: undo what the previous scan scheduled.
        await db.query(`DELETE FROM step_execution`);
        await db.query(`DELETE FROM rate_ledger`);
        await db.query(
          `UPDATE lead SET next_action_at = $1::timestamptz - interval '1 minute', waiting_reason = NULL WHERE public_identifier LIKE 'due-%'`,
          [now],
        );
        let t = performance.now();
        await db.query(DUE_LEADS_SQL, [accountId, now, 'INVITE', 500]);
        selectMs.push(performance.now() - t);
        t = performance.now();
        const result = await scan.scanAccount(accountId);
        scanMs.push(performance.now() - t);
        if (result?.scheduled !== DUE) throw new Error(`expected ${DUE} scheduled, got ${result?.scheduled}`);
      }
      const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM lead WHERE account_id = $1`, [accountId]);
      rows.push(`| ${total.toLocaleString('en')} | ${DUE} | ${median(selectMs).toFixed(2)} | ${median(scanMs).toFixed(1)} |`);
      process.stdout.write(`${rows[rows.length - 1]}\n`);
    }
    const plan: Array<{ 'QUERY PLAN': string }> = await db.query(`EXPLAIN ${DUE_LEADS_SQL}`, [accountId, now, 'INVITE', 500]);
    recordResults(
      'engine-scan',
      [
        '## Engine scan cost (`npm run bench:engine-scan`)',
        '',
        `One account, ${DUE} due leads, the rest not due; median of ${RUNS} runs (ms). The scan schedules all ${DUE} each run (state reset between runs). Target: flat as leads grow (O(due)).`,
        '',
        '| leads of the account | due | due-lead selection (ms) | whole scan of the account (ms) |',
        '|---|---|---|---|',
        ...rows,
        '',
        '<details><summary>Plan of the due-lead selection at the largest size</summary>',
        '',
        '```',
        ...plan.map((p) => p['QUERY PLAN']),
        '```',
        '</details>',
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
