import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack and webhook attempts used to store the receiver's answer after the status
 * (`HTTP 500: <body>`) and the network error's text after its code (`ECONNREFUSED: connect
 * ECONNREFUSED 10.0.0.1:80`). What an internal service answered must not stay readable in the
 * delivery log, so both are cut down to the short status lines written from now on. The cut text
 * is gone: `down` has nothing to restore.
 */
export class NotificationErrorStatusLines1795620300000 implements MigrationInterface {
  name = 'NotificationErrorStatusLines1795620300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const statusLine = (column: string) => `CASE
        WHEN ${column} ~ '^HTTP [0-9]{3}: ' THEN substring(${column} from '^HTTP [0-9]{3}')
        ELSE 'connection failed: ' || substring(${column} from '^[A-Z][A-Z0-9_]+')
      END`;
    const stored = (column: string) => `${column} ~ '^(HTTP [0-9]{3}|[A-Z][A-Z0-9_]+): '`;
    await queryRunner.query(`
      UPDATE notification_delivery SET last_error = ${statusLine('last_error')}
      WHERE channel_kind IN ('SLACK', 'WEBHOOK') AND ${stored('last_error')}`);
    await queryRunner.query(`
      UPDATE notification_attempt a SET error = ${statusLine('a.error')}
      FROM notification_delivery d
      WHERE d.id = a.delivery_id AND d.channel_kind IN ('SLACK', 'WEBHOOK') AND ${stored('a.error')}`);
  }

  public async down(): Promise<void> {
    // Nothing to undo: the removed text is not kept anywhere.
  }
}
