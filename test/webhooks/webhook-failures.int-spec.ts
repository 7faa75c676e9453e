import { VirtualClock } from '../../src/core/clock';
import { createLogger } from '../../src/core/logger';
import { drainWebhookEvents } from '../../src/modules/webhooks/jobs/webhooks.jobs';
import { MAX_PROCESSING_ATTEMPTS } from '../../src/modules/webhooks/webhook-processor.service';
import { RetryWebhookEventsDocument, WebhookStatusDocument } from '../graphql/generated';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';
import { Role } from '../../src/core/graphql/viewer';
import { type LinkedAccount, addLead, draftCampaign, eventsOf, leadRow, linkAccount } from './support/campaign-fixtures';
import { messageReceived, postWebhook } from './support/unipile-payloads';

const SECRET = 'failures-secret-0123456789abcdef';
const AUTH = { 'Unipile-Auth': SECRET };

/**
 * What happens when storing or processing a delivery fails: Unipile is told to retry (never a 200
 * for a row that is not there), every failed processing attempt is logged with its reason, and an
 * event given up on is visible to the workspace's admin, who can have it processed again.
 */
describe('webhook failures', () => {
  let t: TestApp;
  let admin: Session;
  let account: LinkedAccount;
  let campaignId: string;
  const clock = new VirtualClock('2026-03-02T10:00:00.000Z');
  const lines: Array<{ level: number; msg: string; eventId?: string; attempt?: number; reason?: string }> = [];

  beforeAll(async () => {
    const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    t = await startTestApp({ UNIPILE_WEBHOOK_SECRET: SECRET }, { clock, log });
    admin = await adminSession(t);
    account = await linkAccount(t, admin);
    campaignId = await draftCampaign(t, admin, [account.id]);
  });
  afterAll(() => t.stop());

  const event = async (id: string) =>
    (await t.app.dataSource.query(`SELECT attempts, last_error, processed_at, outcome FROM webhook_event WHERE id = $1`, [id]))[0] as
      | { attempts: number; last_error: string | null; processed_at: Date | null; outcome: string | null }
      | undefined;

  it('should answer 500 and store nothing when the row cannot be stored, and 200 once it can', async () => {
    const body = messageReceived({ accountId: account.unipileAccountId, ownerProviderId: account.ownerProviderId, senderProviderId: 'ACoAAStranger' });
    await t.app.dataSource.query(`
      CREATE FUNCTION refuse_webhook() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
      CREATE TRIGGER refuse_webhook BEFORE INSERT ON webhook_event FOR EACH ROW EXECUTE FUNCTION refuse_webhook();`);
    try {
      const refused = await postWebhook(t.baseUrl, 'messaging', body, AUTH);
      expect(refused.status).toBe(500);
      expect(refused.body).toEqual({ error: 'INTERNAL_SERVER_ERROR', message: expect.any(String) });
    } finally {
      await t.app.dataSource.query(`DROP TRIGGER refuse_webhook ON webhook_event; DROP FUNCTION refuse_webhook();`);
    }
    const keyed = `messaging:message_received:${body.message_id}`;
    expect(await t.app.dataSource.query(`SELECT id FROM webhook_event WHERE provider_key = $1`, [keyed])).toEqual([]);

    // Unipile's retry: stored, committed (visible to another connection at once), then a duplicate of that row.
    const stored = await postWebhook(t.baseUrl, 'messaging', body, AUTH);
    expect(stored).toEqual({ status: 200, body: { status: 'stored', eventId: expect.any(String) } });
    expect(await event(String(stored.body.eventId))).toBeDefined();
    const again = await postWebhook(t.baseUrl, 'messaging', body, AUTH);
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', eventId: null } });
    expect(await t.app.dataSource.query(`SELECT id::text FROM webhook_event WHERE provider_key = $1`, [keyed])).toEqual([{ id: stored.body.eventId }]);
  });

  it('should log every failed processing attempt with its reason, give up after the last, show it to admins and retry it on request', async () => {
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    await t.app.dataSource.query(`
      CREATE FUNCTION refuse_reply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'reply rejected by a test trigger'; END $$;
      CREATE TRIGGER refuse_reply BEFORE INSERT ON lead_event FOR EACH ROW WHEN (NEW.type = 'message_received') EXECUTE FUNCTION refuse_reply();`);
    let id: string;
    try {
      const body = messageReceived({ accountId: account.unipileAccountId, ownerProviderId: account.ownerProviderId, senderProviderId: lead.providerId, text: 'Yes, interested' });
      const res = await postWebhook(t.baseUrl, 'messaging', body, AUTH);
      expect(res.body.status).toBe('stored');
      id = String(res.body.eventId);
      // The receiving process tries at once; each later attempt waits a minute more (virtual clock).
      await t.app.webhooks.processor.process(id).catch(() => undefined);
      for (let attempt = 2; (await event(id))!.attempts < MAX_PROCESSING_ATTEMPTS; attempt++) {
        clock.advance(attempt * 60_000);
        await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest);
      }
      expect(await event(id)).toMatchObject({ attempts: MAX_PROCESSING_ATTEMPTS, processed_at: null, last_error: 'reply rejected by a test trigger' });
      clock.advance(60 * 60_000);
      expect(await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest)).toBe(0); // given up: no longer offered
    } finally {
      await t.app.dataSource.query(`DROP TRIGGER refuse_reply ON lead_event; DROP FUNCTION refuse_reply();`);
    }

    const logged = lines.filter((l) => l.eventId === id);
    expect(logged.map((l) => [l.level, l.attempt, l.reason])).toEqual([
      ...[1, 2, 3, 4].map((attempt) => [40, attempt, 'reply rejected by a test trigger']),
      [50, 5, 'reply rejected by a test trigger'],
    ]);
    expect(logged[4].msg).toMatch(/abandoned/);

    const { webhookStatus } = await gqlOk(t.graphqlUrl, WebhookStatusDocument, { campaignId }, admin.token);
    expect(webhookStatus.webhooks).toMatchObject({
      abandoned: 1,
      abandonedEvents: [{ id, source: 'messaging', event: 'message_received', attempts: 5, lastError: 'reply rejected by a test trigger' }],
    });

    // Another workspace's admin takes nothing; a member may not retry.
    const stranger = await newSession(t, { role: Role.ADMIN });
    expect((await gqlOk(t.graphqlUrl, RetryWebhookEventsDocument, { ids: [id] }, stranger.token)).retryWebhookEvents).toEqual([]);
    const member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    expect(errorCode(await gql(t.graphqlUrl, RetryWebhookEventsDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(t.graphqlUrl, RetryWebhookEventsDocument, { ids: ['not-an-id'] }, admin.token))).toBe('BAD_USER_INPUT');

    // The admin's retry processes it now that the cause is gone: the reply is recorded once.
    expect((await gqlOk(t.graphqlUrl, RetryWebhookEventsDocument, {}, admin.token)).retryWebhookEvents).toEqual([id]);
    await drainWebhookEvents(t.app.webhooks.processor, t.app.webhooks.ingest);
    expect(await event(id)).toMatchObject({ outcome: 'REPLY_RECORDED', last_error: null });
    expect((await leadRow(t, lead.id)).status).toBe('responded');
    expect(await eventsOf(t, lead.id, 'message_received')).toHaveLength(1);
    const after = await gqlOk(t.graphqlUrl, WebhookStatusDocument, { campaignId }, admin.token);
    expect(after.webhookStatus.webhooks).toMatchObject({ abandoned: 0, abandonedEvents: [] });
  });
});
