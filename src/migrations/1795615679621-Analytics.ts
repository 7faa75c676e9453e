import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics, written by hand (see src/modules/analytics/analytics-definitions.ts and README "Analytics").
 *
 * - analytics_metric(type, meta): the one SQL definition of what an event counts as
 *   (1 invite, 2 acceptance, 3 message, 4 reply; NULL = not counted). Replies the account owner
 *   sent itself (meta.is_sender true or 1) never count.
 * - analytics_campaign_day: counted events per campaign, UTC day and metric (metric 0 = any event,
 *   with the latest occurred_at), for all-time totals and UTC days.
 * - analytics_quarter_hour: counted events per campaign, sender account and 15-minute UTC bucket.
 *   Every time zone in use has an offset that is a multiple of 15 minutes, so local days and hours
 *   in any of them are exact unions of buckets (timeseries, rate usage, replies by hour).
 * - analytics_lead_fact: per lead, the first invite, acceptance, message and reply, and the step
 *   of the last outbound action at or before the first reply: distinct-lead rates and timings.
 *
 * A statement-level trigger on lead_event INSERT keeps all three exact for every producer, one
 * upsert per group per statement (bulk inserts stay cheap). Upserts run in key order so concurrent
 * writers lock rows in the same order. analytics_rebuild() recomputes them from lead_event with
 * the same statements (analytics_event_statements).
 * lead_event is append-only: rows deleted by a cascade (a deleted workspace) leave the rollups to a rebuild.
 */
export class Analytics1795615679621 implements MigrationInterface {
  name = 'Analytics1795615679621';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION analytics_metric(event_type lead_event_type, meta jsonb) RETURNS smallint
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (CASE event_type
          WHEN 'connection_request_sent' THEN 1
          WHEN 'connection_accepted' THEN 2
          WHEN 'connection_accepted_historical' THEN 2
          WHEN 'message_sent' THEN 3
          WHEN 'message_received' THEN CASE WHEN coalesce(meta->>'is_sender', 'false') IN ('true', '1') THEN NULL ELSE 4 END
        END)::smallint
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION analytics_bucket(at timestamptz) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00+00') $$`);

    await queryRunner.query(`
      CREATE TABLE analytics_campaign_day (
        campaign_id uuid NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        day date NOT NULL,
        metric smallint NOT NULL,
        count integer NOT NULL,
        last_at timestamptz NOT NULL,
        CONSTRAINT "PK_analytics_campaign_day" PRIMARY KEY (campaign_id, day, metric)
      )`);
    await queryRunner.query(`
      CREATE TABLE analytics_quarter_hour (
        workspace_id uuid NOT NULL,
        campaign_id uuid NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        account_id uuid,
        bucket timestamptz NOT NULL,
        metric smallint NOT NULL,
        count integer NOT NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_analytics_quarter_hour" ON analytics_quarter_hour (campaign_id, bucket, metric, account_id) INCLUDE (count) NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_quarter_hour_account" ON analytics_quarter_hour (account_id, bucket, metric) INCLUDE (count) WHERE account_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_quarter_hour_workspace" ON analytics_quarter_hour (workspace_id, metric, bucket) INCLUDE (count)`,
    );

    await queryRunner.query(`
      CREATE TABLE analytics_lead_fact (
        lead_id uuid NOT NULL REFERENCES lead(id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        account_id uuid,
        first_invite_at timestamptz,
        first_accept_at timestamptz,
        first_message_at timestamptz,
        first_reply_at timestamptz,
        reply_step integer,
        CONSTRAINT "PK_analytics_lead_fact" PRIMARY KEY (lead_id)
      )`);
    // Covering: the campaign summary counts a campaign's leads from the index alone (index-only scan).
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_campaign" ON analytics_lead_fact (campaign_id, first_message_at) INCLUDE (first_invite_at, first_accept_at, first_reply_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_account_message" ON analytics_lead_fact (account_id, first_message_at) WHERE first_message_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_workspace_message" ON analytics_lead_fact (workspace_id, first_message_at) WHERE first_message_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_campaign_reply" ON analytics_lead_fact (campaign_id, first_reply_at) WHERE first_reply_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_account_reply" ON analytics_lead_fact (account_id, first_reply_at) WHERE first_reply_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_analytics_lead_fact_workspace_reply" ON analytics_lead_fact (workspace_id, first_reply_at) WHERE first_reply_at IS NOT NULL`,
    );

    // The aggregation of a set of events (the statements to run over a relation): the trigger runs
    // them over its transition table, the rebuild over lead_event. Transition tables are visible
    // only inside the trigger function itself, so this returns SQL rather than running it.
    await queryRunner.query(`
      CREATE FUNCTION analytics_event_statements(events text) RETURNS SETOF text LANGUAGE plpgsql IMMUTABLE AS $fn$
      BEGIN
        RETURN NEXT format($sql$
          INSERT INTO analytics_campaign_day AS d (campaign_id, day, metric, count, last_at)
          SELECT e.campaign_id, (e.occurred_at AT TIME ZONE 'UTC')::date, m.metric, count(*), max(e.occurred_at)
          FROM %1$s e
          CROSS JOIN LATERAL (VALUES (0::smallint), (analytics_metric(e.type, e.meta))) AS m(metric)
          WHERE m.metric IS NOT NULL
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
          ON CONFLICT (campaign_id, day, metric)
          DO UPDATE SET count = d.count + EXCLUDED.count, last_at = greatest(d.last_at, EXCLUDED.last_at)
        $sql$, events);

        RETURN NEXT format($sql$
          INSERT INTO analytics_quarter_hour AS q (workspace_id, campaign_id, account_id, bucket, metric, count)
          SELECT e.workspace_id, e.campaign_id, e.linkedin_account_id, analytics_bucket(e.occurred_at), analytics_metric(e.type, e.meta), count(*)
          FROM %1$s e
          WHERE analytics_metric(e.type, e.meta) IS NOT NULL
          GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 4, 5, 3
          ON CONFLICT (campaign_id, bucket, metric, account_id) DO UPDATE SET count = q.count + EXCLUDED.count
        $sql$, events);

        RETURN NEXT format($sql$
          INSERT INTO analytics_lead_fact AS f
            (lead_id, workspace_id, campaign_id, account_id, first_invite_at, first_accept_at, first_message_at, first_reply_at)
          SELECT e.lead_id, (array_agg(e.workspace_id))[1], (array_agg(e.campaign_id))[1],
                 (array_agg(e.linkedin_account_id) FILTER (WHERE e.linkedin_account_id IS NOT NULL))[1],
                 min(e.occurred_at) FILTER (WHERE e.metric = 1), min(e.occurred_at) FILTER (WHERE e.metric = 2),
                 min(e.occurred_at) FILTER (WHERE e.metric = 3), min(e.occurred_at) FILTER (WHERE e.metric = 4)
          FROM (SELECT *, analytics_metric(type, meta) AS metric FROM %1$s) e
          WHERE e.metric IS NOT NULL
          GROUP BY e.lead_id ORDER BY e.lead_id
          ON CONFLICT (lead_id) DO UPDATE SET
            account_id = coalesce(f.account_id, EXCLUDED.account_id),
            first_invite_at = least(f.first_invite_at, EXCLUDED.first_invite_at),
            first_accept_at = least(f.first_accept_at, EXCLUDED.first_accept_at),
            first_message_at = least(f.first_message_at, EXCLUDED.first_message_at),
            first_reply_at = least(f.first_reply_at, EXCLUDED.first_reply_at)
        $sql$, events);

        -- The step of the last invite or message at or before the first reply, for every lead whose
        -- outbound actions or replies these events touched (late, out-of-order events included).
        RETURN NEXT format($sql$
          UPDATE analytics_lead_fact f SET reply_step = (
            SELECT o.step_index FROM lead_event o
            WHERE o.lead_id = f.lead_id AND analytics_metric(o.type, o.meta) IN (1, 3) AND o.occurred_at <= f.first_reply_at
            ORDER BY o.occurred_at DESC, o.id DESC LIMIT 1)
          WHERE f.first_reply_at IS NOT NULL
            AND f.lead_id IN (SELECT e.lead_id FROM %1$s e WHERE analytics_metric(e.type, e.meta) IN (1, 3, 4))
        $sql$, events);
      END
      $fn$`);

    await queryRunner.query(`
      CREATE FUNCTION analytics_record_events() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE statement text;
      BEGIN
        FOR statement IN SELECT analytics_event_statements('analytics_new_events') LOOP
          EXECUTE statement;
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER analytics_record_events AFTER INSERT ON lead_event
      REFERENCING NEW TABLE AS analytics_new_events
      FOR EACH STATEMENT EXECUTE FUNCTION analytics_record_events()`);

    // Recomputes every rollup from lead_event; inserts wait meanwhile (SHARE lock), so none is missed.
    await queryRunner.query(`
      CREATE FUNCTION analytics_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      DECLARE statement text;
      BEGIN
        LOCK TABLE lead_event IN SHARE MODE;
        TRUNCATE analytics_campaign_day, analytics_quarter_hour, analytics_lead_fact;
        FOR statement IN SELECT analytics_event_statements('lead_event') LOOP
          EXECUTE statement;
        END LOOP;
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER analytics_record_events ON lead_event`);
    await queryRunner.query(`DROP FUNCTION analytics_rebuild()`);
    await queryRunner.query(`DROP FUNCTION analytics_record_events()`);
    await queryRunner.query(`DROP FUNCTION analytics_event_statements(text)`);
    await queryRunner.query(`DROP TABLE analytics_lead_fact`);
    await queryRunner.query(`DROP TABLE analytics_quarter_hour`);
    await queryRunner.query(`DROP TABLE analytics_campaign_day`);
    await queryRunner.query(`DROP FUNCTION analytics_bucket(timestamptz)`);
    await queryRunner.query(`DROP FUNCTION analytics_metric(lead_event_type, jsonb)`);
  }
}
