import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live events for GraphQL subscriptions. Triggers write them in the same transaction as the facts
 * they announce (lead events, account status, caps reached) and NOTIFY their id, which Postgres
 * delivers only after commit, to every instance. The table is also the catch-up log.
 */
export class LiveEvents1795616500000 implements MigrationInterface {
  name = 'LiveEvents1795616500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "live_event" (
        "id" bigserial PRIMARY KEY,
        "workspace_id" uuid NOT NULL,
        "topic" text NOT NULL,
        "campaign_id" uuid,
        "account_id" uuid,
        "payload" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_live_event_workspace" ON "live_event" ("workspace_id", "id")`);
    await queryRunner.query(`
      CREATE FUNCTION live_event_publish(ws uuid, topic text, campaign uuid, account uuid, payload jsonb) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE new_id bigint;
      BEGIN
        INSERT INTO live_event (workspace_id, topic, campaign_id, account_id, payload)
        VALUES (ws, topic, campaign, account, payload) RETURNING id INTO new_id;
        PERFORM pg_notify('outreach_live', new_id::text);
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION live_event_from_lead_event() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.type = 'message_received' AND coalesce((NEW.meta->>'is_sender')::boolean, false) = false THEN
          PERFORM live_event_publish(NEW.workspace_id, 'REPLY_RECEIVED', NEW.campaign_id, NEW.linkedin_account_id,
            jsonb_build_object('leadEventId', NEW.id::text, 'leadId', NEW.lead_id, 'campaignId', NEW.campaign_id,
              'accountId', NEW.linkedin_account_id, 'text', NEW.meta->>'text', 'stepIndex', NEW.step_index,
              'occurredAt', NEW.occurred_at, 'detectedAt', NEW.detected_at, 'source', NEW.source));
        ELSIF NEW.type = 'status_changed' THEN
          PERFORM live_event_publish(NEW.workspace_id, 'LEAD_STATUS_CHANGED', NEW.campaign_id, NEW.linkedin_account_id,
            jsonb_build_object('leadEventId', NEW.id::text, 'leadId', NEW.lead_id, 'campaignId', NEW.campaign_id,
              'accountId', NEW.linkedin_account_id, 'from', NEW.meta->>'from', 'to', NEW.meta->>'to',
              'reason', NEW.reason, 'occurredAt', NEW.occurred_at, 'source', NEW.source));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER live_event_on_lead_event AFTER INSERT ON lead_event
      FOR EACH ROW WHEN (NEW.type IN ('message_received', 'status_changed'))
      EXECUTE FUNCTION live_event_from_lead_event()`);
    await queryRunner.query(`
      CREATE FUNCTION live_event_from_account() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM live_event_publish(NEW.workspace_id, 'ACCOUNT_STATUS_CHANGED', NULL, NEW.id,
          jsonb_build_object('accountId', NEW.id, 'change', CASE WHEN NEW.status IS DISTINCT FROM OLD.status THEN 'STATUS' ELSE 'COOLDOWN' END,
            'status', NEW.status, 'statusReason', NEW.status_reason, 'cooldownUntil', NEW.cooldown_until, 'at', now()));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER live_event_on_account AFTER UPDATE OF status, cooldown_until ON linkedin_account
      FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.cooldown_until IS DISTINCT FROM OLD.cooldown_until)
      EXECUTE FUNCTION live_event_from_account()`);
    await queryRunner.query(`
      CREATE FUNCTION live_event_from_ledger() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE a record;
      BEGIN
        SELECT id, workspace_id, status, status_reason, cooldown_until INTO a FROM linkedin_account WHERE id = NEW.account_id;
        PERFORM live_event_publish(a.workspace_id, 'ACCOUNT_STATUS_CHANGED', NULL, a.id,
          jsonb_build_object('accountId', a.id, 'change', 'CAP_REACHED', 'kind', NEW.kind, 'day', NEW.day, 'cap', NEW.cap,
            'status', a.status, 'statusReason', a.status_reason, 'cooldownUntil', a.cooldown_until, 'at', now()));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER live_event_on_ledger AFTER INSERT OR UPDATE OF used ON rate_ledger
      FOR EACH ROW WHEN (NEW.used >= NEW.cap)
      EXECUTE FUNCTION live_event_from_ledger()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER live_event_on_ledger ON rate_ledger`);
    await queryRunner.query(`DROP FUNCTION live_event_from_ledger()`);
    await queryRunner.query(`DROP TRIGGER live_event_on_account ON linkedin_account`);
    await queryRunner.query(`DROP FUNCTION live_event_from_account()`);
    await queryRunner.query(`DROP TRIGGER live_event_on_lead_event ON lead_event`);
    await queryRunner.query(`DROP FUNCTION live_event_from_lead_event()`);
    await queryRunner.query(`DROP FUNCTION live_event_publish(uuid, text, uuid, uuid, jsonb)`);
    await queryRunner.query(`DROP TABLE "live_event"`);
  }
}
