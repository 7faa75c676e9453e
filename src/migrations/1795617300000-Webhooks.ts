import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook intake and syncs: every Unipile delivery as received (unique provider key, so retries
 * and duplicates are no-ops; a partial index finds the unprocessed ones), sync runs with their
 * progress, and how far the reconciliation poll has read each account's conversations.
 */
export class Webhooks1795617300000 implements MigrationInterface {
  name = 'Webhooks1795617300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_event" ("id" BIGSERIAL NOT NULL, "provider_key" text NOT NULL, "source" text NOT NULL, "event" text NOT NULL,
        "unipile_account_id" text, "route" text NOT NULL, "payload" jsonb NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "processed_at" TIMESTAMP WITH TIME ZONE, "outcome" text, "attempts" integer NOT NULL DEFAULT '0', "last_error" text,
        CONSTRAINT "PK_0f56d2f40f5ec823acf8e8edad1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_webhook_event_provider_key" ON "webhook_event" ("provider_key")`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_event_account" ON "webhook_event" ("unipile_account_id", "received_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_event_unprocessed" ON "webhook_event" ("received_at") WHERE "processed_at" IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "kind" text NOT NULL,
        "status" text NOT NULL DEFAULT 'queued', "params" jsonb NOT NULL DEFAULT '{}', "processed" integer NOT NULL DEFAULT '0', "total" integer,
        "matched" integer NOT NULL DEFAULT '0', "unmatched" integer NOT NULL DEFAULT '0', "details" jsonb NOT NULL DEFAULT '{}',
        "unmatched_sample" jsonb NOT NULL DEFAULT '[]', "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sync_run_workspace" ON "sync_run" ("workspace_id", "created_at")`);
    await queryRunner.query(
      `CREATE TABLE "reconcile_state" ("account_id" uuid NOT NULL, "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_0f368927ef0c01e54cd50e2e8b0" PRIMARY KEY ("account_id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reconcile_state"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sync_run_workspace"`);
    await queryRunner.query(`DROP TABLE "sync_run"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_event_unprocessed"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_event_account"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_webhook_event_provider_key"`);
    await queryRunner.query(`DROP TABLE "webhook_event"`);
  }
}
