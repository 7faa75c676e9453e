import 'reflect-metadata';
import { Client } from 'pg';
import { createAppDataSource } from '../../src/modules';
import { hashPassword } from '../../src/modules/auth/password';
import { BENCH_ADMIN } from './support/bench-app';

// A realistic workspace for the analytics benchmark, generated set-based in Postgres:
// 20 sender accounts, 50 campaigns, 1,000,000 leads, 10,000,000 events over 180 days.
// Seeded once into ANALYTICS_BENCH_DATABASE (kept between runs); `--reseed` starts over.

export const ANALYTICS_BENCH_DATABASE = 'outreach_bench_analytics';
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const LEADS = 1_000_000;
const CAMPAIGNS = 50;
const ACCOUNTS = 20;
const EVENTS_PER_LEAD = 10;
const DAYS = 180;
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];

export function benchDatabaseUrl(): string {
  const url = new URL(SERVER);
  url.pathname = `/${ANALYTICS_BENCH_DATABASE}`;
  return url.toString();
}

/** Seeds the benchmark database unless it already holds a complete seed; returns its URL. */
export async function seedAnalyticsDatabase(opts: { reseed?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const url = benchDatabaseUrl();
  if (!opts.reseed && (await isSeeded(url))) {
    log(`[seed] ${ANALYTICS_BENCH_DATABASE} is already seeded (pass --reseed to start over)`);
    return url;
  }
  await admin(`DROP DATABASE IF EXISTS ${ANALYTICS_BENCH_DATABASE} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${ANALYTICS_BENCH_DATABASE}`);
  const ds = createAppDataSource(url, { poolSize: 1 });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await seedAnalytics(client, LEADS, log);
  } finally {
    await client.end();
  }
  log(`[seed] ${ANALYTICS_BENCH_DATABASE}: ${LEADS.toLocaleString('en')} leads, ${(LEADS * EVENTS_PER_LEAD).toLocaleString('en')} events`);
  return url;
}

/**
 * The generated workspace (accounts, campaigns, `leads` leads with ten events each) into a migrated
 * database, through `client`; the analytics rollups are rebuilt at the end, as after a bulk load.
 */
export async function seedAnalytics(client: Client, leads: number, log: (line: string) => void): Promise<void> {
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const started = performance.now();
    await client.query(sql, params);
    log(`[seed] ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  await client.query(`SET work_mem = '256MB'`);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  // Bulk load: no per-row foreign-key checks and no rollup trigger; the rollups are rebuilt after.
  await client.query(`SET session_replication_role = replica`);
  const { rows } = await client.query<{ id: string }>(`INSERT INTO workspace (name) VALUES ('Analytics bench') RETURNING id`);
  const workspaceId = rows[0].id;
  await client.query(`INSERT INTO app_user (workspace_id, email, password_hash, role) VALUES ($1, $2, $3, 'ADMIN')`, [
    workspaceId,
    BENCH_ADMIN.email,
    await hashPassword(BENCH_ADMIN.password),
  ]);
  await step(
    'accounts',
    `INSERT INTO linkedin_account (workspace_id, unipile_account_id, owner_provider_id, display_name, timezone,
                                   ramp_start_cap, ramp_daily_increment, ramp_target_cap, ramp_started_at)
     SELECT $1, 'bench-account-' || a, 'ACoAABench' || a, 'Bench sender ' || lpad(a::text, 2, '0'), ($2::text[])[1 + a % 4],
            CASE WHEN a % 5 = 0 THEN 5 END, CASE WHEN a % 5 = 0 THEN 3 END, CASE WHEN a % 5 = 0 THEN 25 END,
            CASE WHEN a % 5 = 0 THEN now() - interval '3 days' END
     FROM generate_series(0, $3 - 1) a`,
    [workspaceId, ZONES, ACCOUNTS],
  );
  await step(
    'campaigns',
    `INSERT INTO campaign (workspace_id, name, status, activated_at)
     SELECT $1, 'Bench campaign ' || lpad(c::text, 2, '0'), 'ACTIVE', now() - interval '${DAYS} days' FROM generate_series(0, $2 - 1) c`,
    [workspaceId, CAMPAIGNS],
  );
  await step(
    'campaign senders',
    `INSERT INTO campaign_sender (campaign_id, account_id)
     SELECT c.id, a.id FROM (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM campaign) c
     JOIN (SELECT id, row_number() OVER (ORDER BY display_name) - 1 AS n FROM linkedin_account) a
       ON a.n IN ((c.n * 2) % ${ACCOUNTS}, (c.n * 2 + 1) % ${ACCOUNTS})`,
  );
  // One row per lead with its fate drawn once: invited 90%, accepted 35% of those, historical
  // connection 5%, a reply from 20% of connected leads, own messages echoed for half of them.
  await step(
    'lead plan',
    `CREATE UNLOGGED TABLE seed_lead AS
     SELECT n, gen_random_uuid() AS id, c.id AS campaign_id, a.account_id,
            now() - interval '${DAYS} days' + random() * interval '${DAYS - 20} days' AS t0,
            r1 < 0.9 AS invited, r1 < 0.9 AND r2 < 0.35 AS accepted, r1 >= 0.9 AND r2 < 0.5 AS historical,
            r3 < 0.2 AS replied, r4 < 0.5 AS own_echo, random() AS jitter
     FROM (SELECT n, random() AS r1, random() AS r2, random() AS r3, random() AS r4 FROM generate_series(0, $1 - 1) n) s
     JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM campaign) c ON c.k = s.n % ${CAMPAIGNS}
     JOIN (SELECT campaign_id, account_id, row_number() OVER (PARTITION BY campaign_id ORDER BY account_id) - 1 AS k FROM campaign_sender) a
       ON a.campaign_id = c.id AND a.k = (s.n / ${CAMPAIGNS}) % 2`,
    [leads],
  );
  await step(
    'leads',
    `INSERT INTO lead (id, workspace_id, campaign_id, account_id, public_identifier, first_name, status, sequence_version,
                       next_step_index, invite_sent_at, connected_at, first_outbound_at, first_reply_at, last_step_before_reply, created_at)
     SELECT id, $1, campaign_id, account_id, 'bench-lead-' || n, 'Lead' || n,
            (CASE WHEN (accepted OR historical) AND replied THEN 'responded'
                  WHEN accepted OR historical THEN (CASE WHEN jitter < 0.5 THEN 'completed' ELSE 'messaged' END)
                  WHEN invited THEN (CASE WHEN jitter < 0.1 THEN 'failed' ELSE 'invite_sent' END)
                  ELSE (CASE WHEN jitter < 0.05 THEN 'opted_out' ELSE 'pending_invite' END) END)::lead_status,
            1, 0,
            CASE WHEN invited THEN t0 + interval '1 hour' END,
            CASE WHEN accepted OR historical THEN t0 + interval '1 day' END,
            CASE WHEN invited THEN t0 + interval '1 hour' WHEN historical THEN t0 + interval '2 days' END,
            CASE WHEN (accepted OR historical) AND replied THEN t0 + interval '2 days' + jitter * interval '2 days' END,
            CASE WHEN (accepted OR historical) AND replied THEN 1 END,
            t0
     FROM seed_lead`,
    [workspaceId],
  );
  // Ten events per lead in fixed slots; a slot whose action did not happen holds a deferral or a
  // status change instead, as the engine would record.
  await step(
    'events',
    `INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index, occurred_at, detected_at, source, meta)
     SELECT $1, l.campaign_id, l.id, l.account_id, e.type::lead_event_type, e.step, e.at, e.at,
            (CASE WHEN e.type IN ('message_received', 'connection_accepted') THEN 'webhook' ELSE 'engine' END)::event_source,
            e.meta
     FROM seed_lead l
     CROSS JOIN LATERAL (VALUES
       (1, 'lead_added', NULL::int, l.t0, '{}'::jsonb),
       (2, CASE WHEN l.invited THEN 'connection_request_sent' ELSE 'step_deferred' END, 0, l.t0 + interval '1 hour', '{}'),
       (3, 'status_changed', NULL, l.t0 + interval '1 hour 1 minute', '{}'),
       (4, CASE WHEN l.accepted THEN 'connection_accepted' WHEN l.historical THEN 'connection_accepted_historical' ELSE 'step_deferred' END,
           NULL, l.t0 + interval '1 day', '{}'),
       (5, 'status_changed', NULL, l.t0 + interval '1 day 1 minute', '{}'),
       (6, CASE WHEN l.accepted OR l.historical THEN 'message_sent' ELSE 'step_deferred' END, 1, l.t0 + interval '2 days', '{}'),
       (7, CASE WHEN (l.accepted OR l.historical) AND l.replied THEN 'message_received' ELSE 'step_deferred' END,
           NULL, l.t0 + interval '2 days' + l.jitter * interval '2 days', '{}'),
       (8, CASE WHEN (l.accepted OR l.historical) AND l.own_echo THEN 'message_received' ELSE 'status_changed' END,
           NULL, l.t0 + interval '2 days 30 seconds', '{"is_sender": true}'),
       (9, CASE WHEN (l.accepted OR l.historical) AND NOT l.replied THEN 'message_sent' ELSE 'step_deferred' END,
           2, l.t0 + interval '6 days' + l.jitter * interval '8 hours', '{}'),
       (10, CASE WHEN (l.accepted OR l.historical) AND NOT l.replied THEN 'message_sent' ELSE 'status_changed' END,
           3, l.t0 + interval '12 days' + l.jitter * interval '8 hours', '{}')
     ) AS e(slot, type, step, at, meta)
     ORDER BY l.t0, e.slot`,
    [workspaceId],
  );
  await client.query(`SET session_replication_role = origin`);
  await step('drop lead plan', `DROP TABLE seed_lead`);
  await step('rebuild analytics rollups', `SELECT analytics_rebuild()`);
  await step('vacuum analyze', `VACUUM ANALYZE`);
  await client.query(`CREATE TABLE bench_seed (leads int NOT NULL, events int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(`INSERT INTO bench_seed (leads, events) VALUES ($1, $2)`, [leads, leads * EVENTS_PER_LEAD]);
}

async function isSeeded(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch {
    return false;
  }
  try {
    const { rows } = await client.query(`SELECT to_regclass('bench_seed') IS NOT NULL AS done`);
    return rows[0].done === true;
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

if (require.main === module) {
  seedAnalyticsDatabase({ reseed: process.argv.includes('--reseed') }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
