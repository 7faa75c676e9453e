import type { MigrationInterface, QueryRunner } from 'typeorm';

// Login throttling shared by every API instance, token revocation per workspace, and the admin audit log.
export class OperationsSecurity1795618100000 implements MigrationInterface {
  name = 'OperationsSecurity1795618100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "login_throttle" (
      "key" text NOT NULL,
      "failures" integer NOT NULL DEFAULT 0,
      "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "locked_until" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_login_throttle" PRIMARY KEY ("key"))`);
    await queryRunner.query(`ALTER TABLE "workspace" ADD "token_version" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`CREATE TABLE "audit_log" (
      "id" bigserial NOT NULL,
      "workspace_id" uuid NOT NULL,
      "user_id" uuid,
      "user_email" text NOT NULL,
      "action" text NOT NULL,
      "target" jsonb NOT NULL DEFAULT '{}',
      "outcome" text NOT NULL,
      "request_id" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_audit_log" PRIMARY KEY ("id"),
      CONSTRAINT "FK_audit_log_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE)`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_workspace" ON "audit_log" ("workspace_id", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`ALTER TABLE "workspace" DROP COLUMN "token_version"`);
    await queryRunner.query(`DROP TABLE "login_throttle"`);
  }
}
