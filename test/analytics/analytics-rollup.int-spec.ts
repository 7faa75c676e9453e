import type { DataSource } from 'typeorm';
import { metricOf } from '../../src/modules/analytics/analytics-definitions';
import { LeadEventType } from '../../src/modules/leads/lead-event-type';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { SeededRandom } from '../../src/modules/unipile/sandbox/sandbox-random';
import { type EventSpec, insertAccount, insertCampaign, insertLead, recordEvents, type TestLead } from '../factories/analytics.factory';
import { createWorkspace } from '../factories/user.factory';
import { type TestApp, startTestApp } from '../support/test-app';

// The rollups the trigger maintains must equal a fresh aggregate over lead_event, whatever the
// order and batching of inserts; analytics_rebuild() must reproduce them. The expected aggregates
// here are written independently of analytics_metric(), straight from the README definitions.

const COUNTED = `CASE
  WHEN type = 'connection_request_sent' THEN 1
  WHEN type IN ('connection_accepted', 'connection_accepted_historical') THEN 2
  WHEN type = 'message_sent' THEN 3
  WHEN type = 'message_received' AND coalesce(meta->>'is_sender', 'false') NOT IN ('true', '1') THEN 4
END`;

const EXPECTED_DAY = `
  SELECT campaign_id, (occurred_at AT TIME ZONE 'UTC')::date::text AS day, 0 AS metric, count(*)::int AS count, max(occurred_at) AS last_at
  FROM lead_event GROUP BY 1, 2
  UNION ALL
  SELECT campaign_id, (occurred_at AT TIME ZONE 'UTC')::date::text, m, count(*)::int, max(occurred_at)
  FROM (SELECT *, ${COUNTED} AS m FROM lead_event) e WHERE m IS NOT NULL GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3`;
const ACTUAL_DAY = `SELECT campaign_id, day::text, metric::int, count, last_at FROM analytics_campaign_day ORDER BY 1, 2, 3`;

const EXPECTED_QUARTER = `
  SELECT workspace_id, campaign_id, linkedin_account_id AS account_id,
         to_timestamp(floor(extract(epoch FROM occurred_at) / 900) * 900) AS bucket, m AS metric, count(*)::int AS count
  FROM (SELECT *, ${COUNTED} AS m FROM lead_event) e WHERE m IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 4, 5, 3`;
const ACTUAL_QUARTER = `SELECT workspace_id, campaign_id, account_id, bucket, metric::int, count FROM analytics_quarter_hour ORDER BY 2, 4, 5, 3`;

const EXPECTED_FACTS = `
  WITH e AS (SELECT *, ${COUNTED} AS m FROM lead_event),
  f AS (
    SELECT lead_id, min(workspace_id::text) AS workspace_id, min(campaign_id::text) AS campaign_id,
           min(linkedin_account_id::text) AS account_id,
           min(occurred_at) FILTER (WHERE m = 1) AS first_invite_at, min(occurred_at) FILTER (WHERE m = 2) AS first_accept_at,
           min(occurred_at) FILTER (WHERE m = 3) AS first_message_at, min(occurred_at) FILTER (WHERE m = 4) AS first_reply_at
    FROM e WHERE m IS NOT NULL GROUP BY lead_id)
  SELECT f.*, (SELECT o.step_index FROM e o WHERE o.lead_id = f.lead_id AND o.m IN (1, 3) AND o.occurred_at <= f.first_reply_at
               ORDER BY o.occurred_at DESC, o.id DESC LIMIT 1) AS reply_step
  FROM f ORDER BY lead_id`;
const ACTUAL_FACTS = `
  SELECT lead_id, workspace_id::text, campaign_id::text, account_id::text, first_invite_at, first_accept_at, first_message_at,
         first_reply_at, reply_step
  FROM analytics_lead_fact ORDER BY lead_id`;

async function snapshot(ds: DataSource) {
  return {
    days: await ds.query(ACTUAL_DAY),
    quarters: await ds.query(ACTUAL_QUARTER),
    facts: await ds.query(ACTUAL_FACTS),
  };
}

describe('analytics rollups', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('should define metrics in SQL exactly as analytics-definitions.ts does', async () => {
    const metas = [{}, { is_sender: true }, { is_sender: 1 }, { is_sender: false }, { is_sender: 0 }, { is_sender: 'true' }, { other: 1 }];
    for (const type of Object.values(LeadEventType)) {
      for (const meta of metas) {
        const [row] = await t.app.dataSource.query(`SELECT analytics_metric($1::lead_event_type, $2::jsonb) AS m`, [type, JSON.stringify(meta)]);
        expect({ type, meta, metric: row.m }).toEqual({ type, meta, metric: metricOf(type, meta) });
      }
    }
  });

  it('should keep the rollups equal to a fresh aggregate over the events, and rebuild them identically', async () => {
    const ds = t.app.dataSource;
    const random = new SeededRandom('analytics-rollup');
    const workspaceId = (await createWorkspace(ds)).id;
    const accounts = [await insertAccount(ds, workspaceId), await insertAccount(ds, workspaceId), null];
    const campaigns = [await insertCampaign(ds, workspaceId), await insertCampaign(ds, workspaceId)];
    const leads: TestLead[] = [];
    for (let i = 0; i < 24; i++) {
      leads.push(
        await insertLead(ds, {
          workspaceId,
          campaignId: campaigns[i % 2],
          accountId: accounts[i % 3],
          status: LeadStatus.MESSAGED,
        }),
      );
    }
    const types = Object.values(LeadEventType);
    const base = Date.parse('2026-02-01T00:00:00Z');
    // Random events, recorded in random order and batches: late and out-of-order arrivals included.
    for (let batch = 0; batch < 60; batch++) {
      const lead = leads[random.int(0, leads.length - 1)];
      const events: EventSpec[] = Array.from({ length: random.int(1, 8) }, () => ({
        type: types[random.int(0, types.length - 1)],
        at: new Date(base + random.int(0, 20 * 86_400) * 1000).toISOString(),
        step: random.int(0, 3),
        meta: random.next() < 0.3 ? { is_sender: random.next() < 0.5 } : {},
      }));
      await recordEvents(ds, lead, events);
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM lead_event`);
    expect(n).toBeGreaterThan(200);

    const maintained = await snapshot(ds);
    expect(maintained.days).toEqual(await ds.query(EXPECTED_DAY));
    expect(maintained.quarters).toEqual(await ds.query(EXPECTED_QUARTER));
    expect(maintained.facts).toEqual(await ds.query(EXPECTED_FACTS));
    expect(maintained.facts.filter((f: { reply_step: number | null }) => f.reply_step !== null).length).toBeGreaterThan(0);

    await t.app.dataSource.query(`SELECT analytics_rebuild()`);
    expect(await snapshot(ds)).toEqual(maintained);
  });
});
