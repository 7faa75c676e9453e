import type { MigrationInterface, QueryRunner } from 'typeorm';

// Password checks in progress per throttle key: counted before a check starts, so parallel
// attempts cannot outrun the failure limit, without counting a right password as a failure.
export class LoginThrottleReservations1795620000000 implements MigrationInterface {
  name = 'LoginThrottleReservations1795620000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "login_throttle" ADD "checking" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "login_throttle" ADD "checking_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "login_throttle" DROP COLUMN "checking_until"`);
    await queryRunner.query(`ALTER TABLE "login_throttle" DROP COLUMN "checking"`);
  }
}
