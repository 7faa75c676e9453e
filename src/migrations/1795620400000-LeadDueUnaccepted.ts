import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invited leads by acceptance deadline, per account. Every scan asks whether one of its account's
 * invited leads reached the deadline; through IDX_lead_due that walked every due lead of the
 * account (hundreds waiting for a slot) reading each row's status. This answers it from the index.
 */
export class LeadDueUnaccepted1795620400000 implements MigrationInterface {
  name = 'LeadDueUnaccepted1795620400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_lead_due_unaccepted" ON "lead" ("account_id", "next_action_at") WHERE status = 'invite_sent' AND next_action_at IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_lead_due_unaccepted"`);
  }
}
