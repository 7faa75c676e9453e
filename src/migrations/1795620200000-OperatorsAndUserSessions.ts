import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instance operators, per-user sessions and deactivation, and a per-workspace sending pause.
 * - app_user.operator: instance-wide controls; the earliest admin of an existing database becomes
 *   the operator (on an empty one, the first admin is created as one).
 * - app_user.token_version: bumped to end every session of one user (password change, role
 *   change, deactivation); tokens carry it as `uv`.
 * - app_user.deactivated_at: a deactivated user cannot sign in and has no valid token.
 * - workspace.sending_paused: the workspace admin's pause of their own campaigns' sending.
 * - audit_log.user_id: set to NULL when that user is deleted (the entry keeps user_email).
 */
export class OperatorsAndUserSessions1795620200000 implements MigrationInterface {
  name = 'OperatorsAndUserSessions1795620200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" ADD "operator" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "app_user" ADD "token_version" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "app_user" ADD "deactivated_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      UPDATE "app_user" SET "operator" = true
      WHERE "id" = (SELECT "id" FROM "app_user" WHERE "role" = 'ADMIN' ORDER BY "created_at", "id" LIMIT 1)`);
    await queryRunner.query(`ALTER TABLE "workspace" ADD "sending_paused" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "workspace" ADD "sending_paused_reason" text`);
    await queryRunner.query(`UPDATE "audit_log" a SET "user_id" = NULL WHERE "user_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "app_user" u WHERE u."id" = a."user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_log_user" ON "audit_log" ("user_id")`);
    await queryRunner.query(
      `ALTER TABLE "audit_log" ADD CONSTRAINT "FK_audit_log_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE SET NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_log" DROP CONSTRAINT "FK_audit_log_user"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_log_user"`);
    await queryRunner.query(`ALTER TABLE "workspace" DROP COLUMN "sending_paused_reason"`);
    await queryRunner.query(`ALTER TABLE "workspace" DROP COLUMN "sending_paused"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "deactivated_at"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "token_version"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "operator"`);
  }
}
