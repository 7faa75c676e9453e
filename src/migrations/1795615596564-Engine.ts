import { MigrationInterface, QueryRunner } from "typeorm";

export class Engine1795615596564 implements MigrationInterface {
    name = 'Engine1795615596564'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "rate_ledger" ("account_id" uuid NOT NULL, "day" date NOT NULL, "kind" text NOT NULL, "used" integer NOT NULL DEFAULT '0', "cap" integer NOT NULL, CONSTRAINT "PK_d67b98869ef1f20c4c7ab227294" PRIMARY KEY ("account_id", "day", "kind"))`);
        await queryRunner.query(`CREATE TABLE "scheduler_state" ("id" smallint NOT NULL DEFAULT '1', "paused" boolean NOT NULL DEFAULT false, "paused_reason" text, "last_scan_at" TIMESTAMP WITH TIME ZONE, "last_scan_outcome" jsonb, CONSTRAINT "PK_262e0e4736965f6436b5d9e50cd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TYPE "public"."execution_state" AS ENUM('scheduled', 'sending', 'retrying', 'sent', 'failed', 'skipped')`);
        await queryRunner.query(`CREATE TABLE "step_execution" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "lead_id" uuid NOT NULL, "account_id" uuid NOT NULL, "sequence_version" integer NOT NULL, "step_index" integer NOT NULL, "kind" "public"."step_kind" NOT NULL, "state" "public"."execution_state" NOT NULL DEFAULT 'scheduled', "scheduled_for" TIMESTAMP WITH TIME ZONE NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "unipile_ref" text, "ledger_day" date, "worker_id" text, "sending_started_at" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_84a069ebe3c4367218e60a88bc8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_step_execution_account_state" ON "step_execution"  ("account_id", "state", "scheduled_for") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_step_execution_lead_step" ON "step_execution"  ("lead_id", "sequence_version", "step_index") `);
        await queryRunner.query(`ALTER TABLE "linkedin_account" ADD "next_slot_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "step_execution" ADD CONSTRAINT "FK_d1d8cb97cc12bed8fa2eb25d2e2" FOREIGN KEY ("lead_id") REFERENCES "lead"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Hand-written: the single scheduler row, and the index the recovery sweep reads.
        await queryRunner.query(`INSERT INTO "scheduler_state" ("id") VALUES (1)`);
        await queryRunner.query(`CREATE INDEX "IDX_step_execution_open" ON "step_execution" ("scheduled_for") WHERE state IN ('scheduled', 'sending', 'retrying')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_step_execution_open"`);
        await queryRunner.query(`ALTER TABLE "step_execution" DROP CONSTRAINT "FK_d1d8cb97cc12bed8fa2eb25d2e2"`);
        await queryRunner.query(`ALTER TABLE "linkedin_account" DROP COLUMN "next_slot_at"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_step_execution_lead_step"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_step_execution_account_state"`);
        await queryRunner.query(`DROP TABLE "step_execution"`);
        await queryRunner.query(`DROP TYPE "public"."execution_state"`);
        await queryRunner.query(`DROP TABLE "scheduler_state"`);
        await queryRunner.query(`DROP TABLE "rate_ledger"`);
    }

}
