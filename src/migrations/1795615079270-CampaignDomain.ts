import { MigrationInterface, QueryRunner } from "typeorm";

export class CampaignDomain1795615079270 implements MigrationInterface {
    name = 'CampaignDomain1795615079270'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."account_status" AS ENUM('ACTIVE', 'PAUSED', 'DISCONNECTED', 'RESTRICTED')`);
        await queryRunner.query(`CREATE TABLE "linkedin_account" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "unipile_account_id" text NOT NULL, "owner_provider_id" text NOT NULL, "owner_public_identifier" text, "display_name" text NOT NULL, "status" "public"."account_status" NOT NULL DEFAULT 'ACTIVE', "status_reason" text, "daily_invite_cap" integer NOT NULL DEFAULT '25', "daily_message_cap" integer NOT NULL DEFAULT '100', "weekly_invite_cap" integer NOT NULL DEFAULT '100', "timezone" text NOT NULL DEFAULT 'UTC', "work_start_minute" smallint NOT NULL DEFAULT '540', "work_end_minute" smallint NOT NULL DEFAULT '1020', "working_days" smallint array NOT NULL DEFAULT '{1,2,3,4,5}', "ramp_start_cap" integer, "ramp_daily_increment" integer, "ramp_target_cap" integer, "ramp_started_at" TIMESTAMP WITH TIME ZONE, "cooldown_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a4cb9377486d212933771e6e890" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_3a096ff78dfe0994bb9432b896" ON "linkedin_account"  ("workspace_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_6a98123ba5d47478e3d5e9ebed" ON "linkedin_account"  ("unipile_account_id") `);
        await queryRunner.query(`CREATE TYPE "public"."campaign_status" AS ENUM('DRAFT', 'ACTIVE', 'PAUSED', 'COMPLETED', 'ARCHIVED')`);
        await queryRunner.query(`CREATE TABLE "campaign" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "status" "public"."campaign_status" NOT NULL DEFAULT 'DRAFT', "custom_fields" text array NOT NULL DEFAULT '{}', "sequence_version" integer NOT NULL DEFAULT '0', "activated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0ce34d26e7f2eb316a3a592cdc4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_65fd85a606caa2a2d112b99d85" ON "campaign"  ("workspace_id") `);
        await queryRunner.query(`CREATE TABLE "campaign_sender" ("campaign_id" uuid NOT NULL, "account_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5d3ba5d74b44ae508d9d842774b" PRIMARY KEY ("campaign_id", "account_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_41e59c76943a79fd371b708bb9" ON "campaign_sender"  ("account_id") `);
        await queryRunner.query(`CREATE TYPE "public"."step_kind" AS ENUM('INVITE', 'MESSAGE')`);
        await queryRunner.query(`CREATE TABLE "sequence_step" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "campaign_id" uuid NOT NULL, "version" integer NOT NULL, "step_index" integer NOT NULL, "kind" "public"."step_kind" NOT NULL, "delay_minutes" integer NOT NULL, "template" text, "accept_timeout_days" integer, CONSTRAINT "PK_342cf0414a14476e408c2a62032" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_sequence_step_version_index" ON "sequence_step"  ("campaign_id", "version", "step_index") `);
        await queryRunner.query(`CREATE TABLE "do_not_contact" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "public_identifier" text, "provider_id" text, "reason" text, "source" text NOT NULL DEFAULT 'operator', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_dnc_identity" CHECK (public_identifier IS NOT NULL OR provider_id IS NOT NULL), CONSTRAINT "PK_a11e73d92d8fe597c7acfb31211" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_dnc_provider_id" ON "do_not_contact"  ("workspace_id", "provider_id") WHERE provider_id IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_dnc_public_identifier" ON "do_not_contact"  ("workspace_id", "public_identifier") WHERE public_identifier IS NOT NULL`);
        await queryRunner.query(`CREATE TYPE "public"."lead_status" AS ENUM('pending_invite', 'invite_sent', 'connected', 'messaged', 'responded', 'completed', 'failed', 'opted_out', 'excluded')`);
        await queryRunner.query(`CREATE TABLE "lead" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "account_id" uuid, "public_identifier" text, "provider_id" text, "first_name" text, "last_name" text, "company" text, "custom_fields" jsonb NOT NULL DEFAULT '{}', "status" "public"."lead_status" NOT NULL DEFAULT 'pending_invite', "status_reason" text, "sequence_version" integer, "next_step_index" integer NOT NULL DEFAULT '0', "next_action_at" TIMESTAMP WITH TIME ZONE, "waiting_reason" text, "last_step_sent_at" TIMESTAMP WITH TIME ZONE, "chat_id" text, "invite_sent_at" TIMESTAMP WITH TIME ZONE, "connected_at" TIMESTAMP WITH TIME ZONE, "first_outbound_at" TIMESTAMP WITH TIME ZONE, "first_reply_at" TIMESTAMP WITH TIME ZONE, "last_step_before_reply" integer, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_lead_identity" CHECK (public_identifier IS NOT NULL OR provider_id IS NOT NULL), CONSTRAINT "PK_ca96c1888f7dcfccab72b72fffa" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_e76d04674de2b2f4b3a42bdd47" ON "lead"  ("account_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_lead_campaign_status" ON "lead"  ("campaign_id", "status", "id") `);
        await queryRunner.query(`CREATE TYPE "public"."lead_event_type" AS ENUM('lead_added', 'status_changed', 'step_deferred', 'connection_request_sent', 'connection_accepted', 'connection_accepted_historical', 'message_sent', 'message_received', 'step_failed', 'lead_opted_out')`);
        await queryRunner.query(`CREATE TYPE "public"."event_source" AS ENUM('engine', 'webhook', 'poll', 'sync', 'operator', 'import')`);
        await queryRunner.query(`CREATE TABLE "lead_event" ("id" BIGSERIAL NOT NULL, "workspace_id" uuid NOT NULL, "campaign_id" uuid NOT NULL, "lead_id" uuid NOT NULL, "linkedin_account_id" uuid, "type" "public"."lead_event_type" NOT NULL, "step_index" integer, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" "public"."event_source" NOT NULL, "reason" text, "meta" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_0e3a022852537b7a1237efab44b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_lead_event_lead" ON "lead_event"  ("lead_id", "occurred_at", "id") `);
        await queryRunner.query(`ALTER TABLE "linkedin_account" ADD CONSTRAINT "FK_3a096ff78dfe0994bb9432b896f" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "campaign" ADD CONSTRAINT "FK_65fd85a606caa2a2d112b99d85f" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "campaign_sender" ADD CONSTRAINT "FK_109ec3a64cb7295e2653c4e2847" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "campaign_sender" ADD CONSTRAINT "FK_41e59c76943a79fd371b708bb9e" FOREIGN KEY ("account_id") REFERENCES "linkedin_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sequence_step" ADD CONSTRAINT "FK_59f83555cc62f193fbc9cab634d" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "do_not_contact" ADD CONSTRAINT "FK_922a012decd59a7004989a003a9" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "lead" ADD CONSTRAINT "FK_c578e2926fcba7d6ffdaef7466b" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "lead" ADD CONSTRAINT "FK_48174cb1bd2476a7d8a382bc08d" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "lead" ADD CONSTRAINT "FK_e76d04674de2b2f4b3a42bdd47c" FOREIGN KEY ("account_id") REFERENCES "linkedin_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "lead_event" ADD CONSTRAINT "FK_c8014ff55bd65893e9f627b8ada" FOREIGN KEY ("lead_id") REFERENCES "lead"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Hand-written: expression and partial indexes TypeORM cannot declare (entities mark them synchronize: false).
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_campaign_workspace_name" ON "campaign" ("workspace_id", lower("name"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_lead_campaign_public_identifier" ON "lead" ("campaign_id", "public_identifier") WHERE public_identifier IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_lead_campaign_provider_id" ON "lead" ("campaign_id", "provider_id") WHERE provider_id IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_lead_active_public_identifier" ON "lead" ("workspace_id", "public_identifier") WHERE public_identifier IS NOT NULL AND status IN ('pending_invite', 'invite_sent', 'connected', 'messaged')`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_lead_active_provider_id" ON "lead" ("workspace_id", "provider_id") WHERE provider_id IS NOT NULL AND status IN ('pending_invite', 'invite_sent', 'connected', 'messaged')`);
        await queryRunner.query(`CREATE INDEX "IDX_lead_due" ON "lead" ("account_id", "next_action_at") WHERE next_action_at IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "lead_event" DROP CONSTRAINT "FK_c8014ff55bd65893e9f627b8ada"`);
        await queryRunner.query(`ALTER TABLE "lead" DROP CONSTRAINT "FK_e76d04674de2b2f4b3a42bdd47c"`);
        await queryRunner.query(`ALTER TABLE "lead" DROP CONSTRAINT "FK_48174cb1bd2476a7d8a382bc08d"`);
        await queryRunner.query(`ALTER TABLE "lead" DROP CONSTRAINT "FK_c578e2926fcba7d6ffdaef7466b"`);
        await queryRunner.query(`ALTER TABLE "do_not_contact" DROP CONSTRAINT "FK_922a012decd59a7004989a003a9"`);
        await queryRunner.query(`ALTER TABLE "sequence_step" DROP CONSTRAINT "FK_59f83555cc62f193fbc9cab634d"`);
        await queryRunner.query(`ALTER TABLE "campaign_sender" DROP CONSTRAINT "FK_41e59c76943a79fd371b708bb9e"`);
        await queryRunner.query(`ALTER TABLE "campaign_sender" DROP CONSTRAINT "FK_109ec3a64cb7295e2653c4e2847"`);
        await queryRunner.query(`ALTER TABLE "campaign" DROP CONSTRAINT "FK_65fd85a606caa2a2d112b99d85f"`);
        await queryRunner.query(`ALTER TABLE "linkedin_account" DROP CONSTRAINT "FK_3a096ff78dfe0994bb9432b896f"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_lead_event_lead"`);
        await queryRunner.query(`DROP TABLE "lead_event"`);
        await queryRunner.query(`DROP TYPE "public"."event_source"`);
        await queryRunner.query(`DROP TYPE "public"."lead_event_type"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_lead_campaign_status"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e76d04674de2b2f4b3a42bdd47"`);
        await queryRunner.query(`DROP TABLE "lead"`);
        await queryRunner.query(`DROP TYPE "public"."lead_status"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_dnc_public_identifier"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_dnc_provider_id"`);
        await queryRunner.query(`DROP TABLE "do_not_contact"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_sequence_step_version_index"`);
        await queryRunner.query(`DROP TABLE "sequence_step"`);
        await queryRunner.query(`DROP TYPE "public"."step_kind"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_41e59c76943a79fd371b708bb9"`);
        await queryRunner.query(`DROP TABLE "campaign_sender"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_65fd85a606caa2a2d112b99d85"`);
        await queryRunner.query(`DROP TABLE "campaign"`);
        await queryRunner.query(`DROP TYPE "public"."campaign_status"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_6a98123ba5d47478e3d5e9ebed"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_3a096ff78dfe0994bb9432b896"`);
        await queryRunner.query(`DROP TABLE "linkedin_account"`);
        await queryRunner.query(`DROP TYPE "public"."account_status"`);
    }

}
