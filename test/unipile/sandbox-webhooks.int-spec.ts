import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { accountStatusWebhookSchema, messagingWebhookSchema } from '../../src/modules/unipile/unipile-webhook.schemas';
import type { UnipileClient } from '../../src/modules/unipile/unipile.client';
import { admin, api, clientFor, startTestSandbox } from './support/harness';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

describe('Unipile sandbox webhook delivery', () => {
  let sandbox: UnipileSandbox;
  let client: UnipileClient;
  let accountId: string;
  let member: string;
  const receivers: WebhookReceiver[] = [];

  const receiver = async (respond?: (call: number) => number) => {
    const r = await startWebhookReceiver(respond);
    receivers.push(r);
    return r;
  };

  beforeEach(async () => {
    sandbox = await startTestSandbox({ accounts: 2, initialRelations: 3 });
    client = clientFor(sandbox);
    accountId = sandbox.accounts()[0].id;
    member = sandbox.store.relationsOf(accountId)[0].providerId;
  });
  afterEach(async () => {
    await sandbox.stop();
    for (const r of receivers.splice(0)) await r.close();
  });

  const send = (text: string) => client.startChat(accountId, { attendeeProviderIds: [member], text });

  it('should retry a non-200 answer until it gets a 200', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    await client.createWebhook({ requestUrl: hook.url, source: 'messaging' });
    await send('hello');
    await sandbox.settle();
    expect(hook.calls).toHaveLength(3);
    expect(new Set(hook.calls.map((c) => c.raw)).size).toBe(1); // the same body each time
    const [delivery] = sandbox.deliveries();
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it('should count only 200 as success and give up after five retries', async () => {
    const hook = await receiver(() => 201);
    await client.createWebhook({ requestUrl: hook.url, source: 'messaging' });
    await send('hello');
    await sandbox.settle();
    expect(hook.calls).toHaveLength(6);
    expect(sandbox.deliveries()[0]).toMatchObject({ state: 'failed' });
  });

  it('should retry when the receiver is unreachable', async () => {
    await client.createWebhook({ requestUrl: 'http://127.0.0.1:9/closed', source: 'messaging' });
    await send('hello');
    await sandbox.settle();
    const [delivery] = sandbox.deliveries();
    expect(delivery.attempts).toHaveLength(6);
    expect(delivery.attempts.every((a) => a.error && a.status === undefined)).toBe(true);
  });

  it('should send the registered headers and no content type of its own', async () => {
    const plain = await receiver();
    const withHeaders = await receiver();
    await client.createWebhook({ requestUrl: plain.url, source: 'messaging', headers: [] });
    await client.createWebhook({
      requestUrl: withHeaders.url,
      source: 'messaging',
      headers: [
        { key: 'Unipile-Auth', value: 's3cret' },
        { key: 'Content-Type', value: 'application/json' },
      ],
    });
    await send('hello');
    await sandbox.settle();
    expect(plain.calls[0].headers['content-type']).toBeUndefined();
    expect(withHeaders.calls[0].headers['unipile-auth']).toBe('s3cret');
    expect(withHeaders.calls[0].headers['content-type']).toBe('application/json');
  });

  it('should filter by account and by messaging event, and stop after deletion', async () => {
    const mine = await receiver();
    const other = await receiver();
    const reads = await receiver();
    const mineId = await client.createWebhook({ requestUrl: mine.url, source: 'messaging', accountIds: [accountId] });
    await client.createWebhook({ requestUrl: other.url, source: 'messaging', accountIds: [sandbox.accounts()[1].id] });
    await client.createWebhook({ requestUrl: reads.url, source: 'messaging', events: ['message_read'] });
    await send('one');
    await sandbox.settle();
    expect(mine.calls).toHaveLength(1);
    expect(other.calls).toHaveLength(0);
    expect(reads.calls).toHaveLength(0);
    await client.deleteWebhook(mineId);
    await send('two');
    await sandbox.settle();
    expect(mine.calls).toHaveLength(1);
  });

  it('should deliver the live message_received shape with webhook_name and key renaming', async () => {
    const full = await receiver();
    const renamed = await receiver();
    await client.createWebhook({ requestUrl: full.url, source: 'messaging', name: 'inbox' });
    const created = await api(sandbox, 'POST', '/webhooks', {
      json: { request_url: renamed.url, source: 'messaging', data: [{ name: 'accountId', key: 'account_id' }, { name: 'text', key: 'message' }] },
    });
    expect(created.status).toBe(200);
    await send('hello there');
    await sandbox.settle();
    const body = messagingWebhookSchema.parse(full.calls[0].body);
    expect(body).toMatchObject({ event: 'message_received', webhook_name: 'inbox', message: 'hello there', is_sender: true, is_group: false, account_type: 'LINKEDIN' });
    expect(full.calls[0].body).toMatchObject({ account_info: { type: 'LINKEDIN', feature: 'classic' }, attachments: [], message_type: 'MESSAGE' });
    expect(body.attendees[0].attendee_provider_id).toBe(member);
    expect(renamed.calls[0].body).toEqual({ accountId, text: 'hello there' });
  });

  it('should duplicate a delivery when told to', async () => {
    const hook = await receiver();
    await client.createWebhook({ requestUrl: hook.url, source: 'messaging' });
    sandbox.faults.add({ kind: 'webhook_duplicate', times: 1 });
    await send('one');
    await send('two');
    await sandbox.settle();
    expect(hook.bodies().map((b) => b.message)).toEqual(['one', 'one', 'two']);
    expect(hook.calls[0].body.message_id).toBe(hook.calls[1].body.message_id);
    expect(sandbox.deliveries().filter((d) => d.duplicate)).toHaveLength(1);
  });

  it('should deliver out of order when told to', async () => {
    const hook = await receiver();
    await client.createWebhook({ requestUrl: hook.url, source: 'messaging' });
    const added = await admin<{ id: number }>(sandbox, 'POST', '/faults', { kind: 'webhook_reorder', times: 1 });
    expect(added.status).toBe(200);
    await send('first');
    await send('second');
    await send('third');
    await sandbox.settle();
    expect(hook.bodies().map((b) => b.message)).toEqual(['second', 'first', 'third']);
  });

  it('should announce account status changes and refuse sends while disconnected', async () => {
    const hook = await receiver();
    await client.createWebhook({ requestUrl: hook.url, source: 'account_status' });
    sandbox.setAccountStatus(accountId, 'CREDENTIALS');
    sandbox.setAccountStatus(accountId, 'CREDENTIALS'); // no transition, no event
    await expect(send('hello')).rejects.toMatchObject({ code: 'ACCOUNT_DISCONNECTED', type: 'errors/disconnected_account' });
    await expect(client.listChats({ accountId })).resolves.toBeDefined(); // reads still work
    expect((await client.getAccount(accountId)).sources[0].status).toBe('CREDENTIALS');
    const reconnected = await admin(sandbox, 'POST', `/accounts/${accountId}/status`, { status: 'OK' });
    expect(reconnected.status).toBe(200);
    await expect(send('hello')).resolves.toMatchObject({ object: 'ChatStarted' });
    await sandbox.settle();
    const events = hook.bodies().map((b) => accountStatusWebhookSchema.parse(b));
    expect(events).toEqual([
      { AccountStatus: { account_id: accountId, account_type: 'LINKEDIN', message: 'CREDENTIALS' } },
      { AccountStatus: { account_id: accountId, account_type: 'LINKEDIN', message: 'OK' } },
    ]);
    expect(hook.calls[0].body).not.toHaveProperty('webhook_name');
  });
});
