import { eventually } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { accountStatus, messageReceived, newRelation, postWebhook } from './support/unipile-payloads';

const SECRET = 'webhook-secret-0123456789abcdef';
const AUTH = { 'Unipile-Auth': SECRET };

describe('webhook ingest routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ UNIPILE_WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => t.stop());

  const stored = async (where = 'true', params: unknown[] = []) =>
    (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhook_event WHERE ${where}`, params))[0].n as number;

  it('should store one event and process it once when the same delivery arrives 5 times in parallel', async () => {
    const body = messageReceived({ accountId: 'acc-dup', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
    const results = await Promise.all(Array.from({ length: 5 }, () => postWebhook(t.baseUrl, 'messaging', body, AUTH)));

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => r.body.status === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.body.status === 'duplicate')).toHaveLength(4);
    expect(await stored(`provider_key = $1`, [`messaging:message_received:${body.message_id}`])).toBe(1);
    const eventId = results.find((r) => r.body.status === 'stored')!.body.eventId;
    await eventually(async () =>
      expect(await t.app.dataSource.query(`SELECT outcome, attempts FROM webhook_event WHERE id = $1`, [eventId])).toEqual([{ outcome: 'UNKNOWN_ACCOUNT', attempts: 1 }]),
    );
  });

  it('should keep the raw payload, its source, event, account and route', async () => {
    const body = newRelation({ accountId: 'acc-raw', providerId: 'ACoAARelation1', publicIdentifier: 'julien-crepieux' });
    const res = await postWebhook(t.baseUrl, 'users', body, AUTH);
    expect(res).toEqual({ status: 200, body: { status: 'stored', eventId: expect.any(String) } });
    const [row] = await t.app.dataSource.query(`SELECT source, event, unipile_account_id, route, payload, processed_at FROM webhook_event WHERE id = $1`, [res.body.eventId]);
    expect(row).toEqual({ source: 'users', event: 'new_relation', unipile_account_id: 'acc-raw', route: 'users', payload: body, processed_at: null });
  });

  it('should answer 401 with a JSON error and store nothing when the secret header is wrong or missing', async () => {
    const before = await stored();
    const body = messageReceived({ accountId: 'acc-auth', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
    const attempts: Array<Record<string, string>> = [{}, { 'Unipile-Auth': 'wrong' }, { 'Unipile-Auth': `${SECRET}x` }, { 'X-Unipile-Signature': SECRET }];
    for (const headers of attempts) {
      const res = await postWebhook(t.baseUrl, 'messaging', body, headers);
      expect(res).toEqual({ status: 401, body: { error: 'UNAUTHENTICATED', message: expect.stringContaining('Unipile-Auth') } });
    }
    expect(await stored()).toBe(before);
  });

  it('should answer 400 and store nothing for bodies that are not JSON, not objects, not Unipile shapes, or not storable', async () => {
    const before = await stored();
    const own = messageReceived({ accountId: 'acc-bad', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
    const { message_id: _dropped, ...withoutMessageId } = own;
    const cases: Array<[string, unknown, string]> = [
      ['messaging', '{"event": "message_received", ', 'MALFORMED_JSON'],
      ['messaging', '', 'MALFORMED_JSON'],
      ['messaging', '[1, 2]', 'INVALID_PAYLOAD'],
      ['messaging', withoutMessageId, 'INVALID_PAYLOAD'],
      ['users', { event: 'new_relation', account_id: 'acc-bad', account_type: 'LINKEDIN' }, 'INVALID_PAYLOAD'],
      ['account-status', { AccountStatus: { account_id: 'acc-bad' } }, 'INVALID_PAYLOAD'],
      ['users', { hello: 'world' }, 'INVALID_PAYLOAD'],
      // Valid JSON that Postgres cannot store in jsonb.
      ['messaging', { ...own, message_id: 'nul-text', message: 'a\u0000b' }, 'INVALID_PAYLOAD'],
    ];
    for (const [route, body, code] of cases) {
      const res = await postWebhook(t.baseUrl, route, body, AUTH);
      expect([route, res.status, res.body.error]).toEqual([route, 400, code]);
      expect(typeof res.body.message).toBe('string');
    }
    expect(await stored()).toBe(before);
  });

  it('should answer 413 with a JSON error for a body over 1 MiB, and store nothing', async () => {
    const before = await stored();
    const body = messageReceived({ accountId: 'acc-big', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane', text: 'x'.repeat(1024 * 1024 + 1) });
    const res = await postWebhook(t.baseUrl, 'messaging', body, AUTH);
    expect(res).toEqual({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
    expect(await stored()).toBe(before);
  });

  it('should parse the raw body whatever the content type says', async () => {
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const body = messageReceived({ accountId: 'acc-ct', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
      const res = await postWebhook(t.baseUrl, 'messaging', body, { ...AUTH, 'Content-Type': contentType });
      expect([contentType, res.status, res.body.status]).toEqual([contentType, 200, 'stored']);
    }
  });

  it('should store reads and reactions as their own events, each retry once', async () => {
    const received = messageReceived({ accountId: 'acc-read', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
    const read = { ...received, event: 'message_read' };
    const reaction = { ...received, event: 'message_reaction', reaction: '👍', reaction_sender: received.sender };
    const statuses = [];
    for (const body of [received, read, read, reaction, reaction]) statuses.push((await postWebhook(t.baseUrl, 'messaging', body, AUTH)).body.status);
    expect(statuses).toEqual(['stored', 'stored', 'duplicate', 'stored', 'duplicate']);
    expect(await stored(`unipile_account_id = 'acc-read'`)).toBe(3);
  });

  it('should tell repeated account statuses from retries: one event per transition', async () => {
    const post = (message: string) => postWebhook(t.baseUrl, 'account-status', accountStatus('acc-status', message), AUTH);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => post('CREDENTIALS')));
    expect(parallel.filter((r) => r.body.status === 'stored')).toHaveLength(1);
    expect((await post('OK')).body.status).toBe('stored');
    expect((await post('OK')).body.status).toBe('duplicate');
    expect((await post('CREDENTIALS')).body.status).toBe('stored');
    const rows = await t.app.dataSource.query(`SELECT event FROM webhook_event WHERE unipile_account_id = 'acc-status' ORDER BY id`);
    expect(rows.map((r: { event: string }) => r.event)).toEqual(['CREDENTIALS', 'OK', 'CREDENTIALS']);
  });

  it('should accept a payload on the route of another source (a misregistered webhook loses nothing)', async () => {
    const body = messageReceived({ accountId: 'acc-route', ownerProviderId: 'ACoAAOwner', senderProviderId: 'ACoAAJane' });
    const res = await postWebhook(t.baseUrl, 'users', body, AUTH);
    expect(res.status).toBe(200);
    const [row] = await t.app.dataSource.query(`SELECT source, route FROM webhook_event WHERE id = $1`, [res.body.eventId]);
    expect(row).toEqual({ source: 'messaging', route: 'users' });
  });
});

describe('webhook ingest without a configured secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('should accept deliveries without the header', async () => {
    const res = await postWebhook(t.baseUrl, 'account-status', accountStatus('acc-open', 'OK'));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stored');
  });
});
