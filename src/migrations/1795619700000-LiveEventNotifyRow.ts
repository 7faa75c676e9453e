import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NOTIFY carries the whole live event when it fits (payloads are limited to 8000 bytes), so a
 * listener delivers it without reading it back; a larger event still sends only its id, and
 * listeners read that one from the table. Delivery stays after commit, to every instance.
 */
export class LiveEventNotifyRow1795619700000 implements MigrationInterface {
  name = 'LiveEventNotifyRow1795619700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION live_event_publish(ws uuid, topic text, campaign uuid, account uuid, payload jsonb) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE e live_event; message text;
      BEGIN
        INSERT INTO live_event (workspace_id, topic, campaign_id, account_id, payload)
        VALUES (ws, topic, campaign, account, payload) RETURNING * INTO e;
        message := jsonb_build_object('id', e.id::text, 'workspace_id', e.workspace_id, 'topic', e.topic, 'campaign_id', e.campaign_id,
          'account_id', e.account_id, 'payload', e.payload, 'created_at', e.created_at)::text;
        IF octet_length(message) >= 8000 THEN
          message := e.id::text;
        END IF;
        PERFORM pg_notify('outreach_live', message);
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION live_event_publish(ws uuid, topic text, campaign uuid, account uuid, payload jsonb) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE new_id bigint;
      BEGIN
        INSERT INTO live_event (workspace_id, topic, campaign_id, account_id, payload)
        VALUES (ws, topic, campaign, account, payload) RETURNING id INTO new_id;
        PERFORM pg_notify('outreach_live', new_id::text);
      END $$`);
  }
}
