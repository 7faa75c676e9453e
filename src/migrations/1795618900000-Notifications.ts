import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator notifications: per-workspace switches, channels, routing rules, the delivery log with
 * its attempts, and the dispatcher's cursor over live_event (starting at the newest event, so
 * history is not announced). Also a CAMPAIGN_COMPLETED live event, written by a trigger in the
 * transaction that completes the campaign, like the other live events.
 */
export class Notifications1795618900000 implements MigrationInterface {
  name = 'Notifications1795618900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."notification_channel_kind" AS ENUM('EMAIL', 'SLACK', 'WEBHOOK')`);
    await queryRunner.query(`CREATE TYPE "public"."notification_event_type" AS ENUM('REPLY_RECEIVED', 'ACCOUNT_DISCONNECTED', 'CAP_REACHED', 'CAMPAIGN_COMPLETED')`);
    await queryRunner.query(`CREATE TYPE "public"."notification_delivery_status" AS ENUM('PENDING', 'SENDING', 'RETRYING', 'SENT', 'FAILED', 'SKIPPED')`);

    await queryRunner.query(`CREATE TABLE "notification_settings" ("workspace_id" uuid NOT NULL, "email_enabled" boolean NOT NULL DEFAULT true, "slack_enabled" boolean NOT NULL DEFAULT true, "webhooks_enabled" boolean NOT NULL DEFAULT true, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ef265905c0278c904ee72b1d261" PRIMARY KEY ("workspace_id"))`);
    await queryRunner.query(`ALTER TABLE "notification_settings" ADD CONSTRAINT "FK_ef265905c0278c904ee72b1d261" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE TABLE "notification_channel" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "kind" "public"."notification_channel_kind" NOT NULL, "name" text NOT NULL, "recipients" text array NOT NULL DEFAULT '{}', "url" text, "secret" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_50b36f3daa5dd86f7e707740b23" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5e2f02f46d9a4a3fcf3e7853c7" ON "notification_channel" ("workspace_id")`);
    await queryRunner.query(`ALTER TABLE "notification_channel" ADD CONSTRAINT "FK_5e2f02f46d9a4a3fcf3e7853c78" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE TABLE "notification_rule" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "event_type" "public"."notification_event_type" NOT NULL, "campaign_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7b7cb151ab8af7b71553019a730" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_bc5f88cc8f668e3fb67b56f2fb" ON "notification_rule" ("workspace_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_e48d78b4887beace2280a2f9bf" ON "notification_rule" ("channel_id")`);
    // A null campaign (every campaign) counts as one value: no two identical "all campaigns" rules.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_notification_rule_route" ON "notification_rule" ("channel_id", "event_type", coalesce("campaign_id", '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    await queryRunner.query(`ALTER TABLE "notification_rule" ADD CONSTRAINT "FK_e48d78b4887beace2280a2f9bf4" FOREIGN KEY ("channel_id") REFERENCES "notification_channel"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notification_rule" ADD CONSTRAINT "FK_005d750543709be7166b0cee9b4" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE TABLE "notification_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "live_event_id" bigint NOT NULL, "channel_id" uuid NOT NULL, "channel_kind" "public"."notification_channel_kind" NOT NULL, "event_type" "public"."notification_event_type" NOT NULL, "campaign_id" uuid, "content" jsonb NOT NULL, "status" "public"."notification_delivery_status" NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "attempt_limit" integer NOT NULL, "last_status_code" integer, "last_latency_ms" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE, "locked_until" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_notification_delivery_event_channel" UNIQUE ("live_event_id", "channel_id"), CONSTRAINT "PK_109dea88c25343da49d86de6bfd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_notification_delivery_status_due" ON "notification_delivery" ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_notification_delivery_workspace_created" ON "notification_delivery" ("workspace_id", "created_at", "id")`);
    await queryRunner.query(`ALTER TABLE "notification_delivery" ADD CONSTRAINT "FK_d5af4b90cf861341dbc940eae6f" FOREIGN KEY ("channel_id") REFERENCES "notification_channel"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE TABLE "notification_attempt" ("id" BIGSERIAL NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "ok" boolean NOT NULL, "response_code" integer, "latency_ms" integer NOT NULL, "error" text, CONSTRAINT "PK_f77a48c4e0332fdb9a5e6c7473d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_notification_attempt_delivery" ON "notification_attempt" ("delivery_id", "attempt")`);
    await queryRunner.query(`ALTER TABLE "notification_attempt" ADD CONSTRAINT "FK_00d472bd8aa557c46e7e0107bee" FOREIGN KEY ("delivery_id") REFERENCES "notification_delivery"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    // Not an entity: only the dispatcher reads and writes it, under a row lock.
    await queryRunner.query(`
      CREATE TABLE "notification_cursor" (
        "id" smallint PRIMARY KEY CHECK ("id" = 1),
        "last_event_id" bigint NOT NULL,
        "gap_event_id" bigint,
        "gap_since" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO "notification_cursor" ("id", "last_event_id") SELECT 1, coalesce(max("id"), 0) FROM "live_event"`);

    await queryRunner.query(`
      CREATE FUNCTION live_event_from_campaign() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM live_event_publish(NEW.workspace_id, 'CAMPAIGN_COMPLETED', NEW.id, NULL,
          jsonb_build_object('campaignId', NEW.id, 'name', NEW.name, 'from', OLD.status, 'status', NEW.status, 'at', now()));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER live_event_on_campaign_completed AFTER UPDATE OF status ON campaign
      FOR EACH ROW WHEN (NEW.status = 'COMPLETED' AND OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION live_event_from_campaign()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER live_event_on_campaign_completed ON campaign`);
    await queryRunner.query(`DROP FUNCTION live_event_from_campaign()`);
    await queryRunner.query(`DROP TABLE "notification_cursor"`);
    await queryRunner.query(`DROP TABLE "notification_attempt"`);
    await queryRunner.query(`DROP TABLE "notification_delivery"`);
    await queryRunner.query(`DROP TABLE "notification_rule"`);
    await queryRunner.query(`DROP TABLE "notification_channel"`);
    await queryRunner.query(`DROP TABLE "notification_settings"`);
    await queryRunner.query(`DROP TYPE "public"."notification_delivery_status"`);
    await queryRunner.query(`DROP TYPE "public"."notification_event_type"`);
    await queryRunner.query(`DROP TYPE "public"."notification_channel_kind"`);
  }
}
