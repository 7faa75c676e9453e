import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics trigger ran its four rollup statements through EXECUTE, which parses and plans
 * each one again on every insert into lead_event (≈ 0.8 ms of every reply, send and acceptance).
 * The function is now generated once from the same analytics_event_statements(), as static SQL:
 * PL/pgSQL keeps its plans per connection. analytics_rebuild() still runs them dynamically over
 * lead_event. A migration that changes analytics_event_statements() must regenerate this function.
 */
export class AnalyticsTriggerPlans1795619800000 implements MigrationInterface {
  name = 'AnalyticsTriggerPlans1795619800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE OR REPLACE FUNCTION analytics_record_events() RETURNS trigger LANGUAGE plpgsql AS %L',
          'BEGIN ' || (SELECT string_agg(s, '; ') FROM analytics_event_statements('analytics_new_events') AS s) || '; RETURN NULL; END');
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION analytics_record_events() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE statement text;
      BEGIN
        FOR statement IN SELECT analytics_event_statements('analytics_new_events') LOOP
          EXECUTE statement;
        END LOOP;
        RETURN NULL;
      END
      $$`);
  }
}
