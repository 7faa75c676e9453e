import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import { isIP, type AddressInfo, type LookupFunction } from 'node:net';
import { NotificationErrorStatusLines1795620300000 } from '../../src/migrations/1795620300000-NotificationErrorStatusLines';
import {
  CreateNotificationChannelDocument,
  type CreateNotificationChannelInput,
  CreateNotificationRuleDocument,
  NotificationChannelsDocument,
  NotificationDeliveriesDocument,
  NotificationDeliveryDocument,
  UpdateNotificationChannelDocument,
} from '../graphql/generated';
import { replyWorld } from '../notifications/world';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { eventually } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';

// Issue 18, item 4: Slack and webhook channels are URLs chosen by workspace admins, and the
// service calls them. Nothing here sends traffic off this machine: refusals happen before any
// socket opens, the only receiver listens on 127.0.0.1, and made-up host names resolve through
// the resolver injected below (a public-looking answer is only ever checked, never connected to).

/** What this test's resolver answers; `localhost` goes to the system resolver (/etc/hosts). */
const PUBLIC_ADDRESS = '93.184.215.14';
const resolves = new Map<string, string>([['hooks.slack.com', PUBLIC_ADDRESS]]);

const testLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost') return dnsLookup(hostname, options, callback as never);
  const address = resolves.get(hostname);
  if (!address) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
  const family = isIP(address);
  if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address, family }]);
  callback(null, address, family);
};

// Why the body of a failing receiver must not come back: it may be an internal service's answer.
const INTERNAL_ANSWER = 'postgres://admin:hunter2@db.internal:5432/prod';

/** A receiver on 127.0.0.1: 500 with a revealing body, a redirect, or 200. */
async function startReceiver() {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    req.resume();
    if (req.url === '/fails') res.writeHead(500, { 'content-type': 'text/plain' }).end(INTERNAL_ANSWER);
    else if (req.url === '/redirect') res.writeHead(307, { location: '/target', 'content-type': 'text/plain' }).end(`see /target (${INTERNAL_ANSWER})`);
    else res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// The addresses the issue found accepted, and their disguises.
const FORBIDDEN_WEBHOOK_URLS = [
  'http://127.0.0.1:5432/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]:4000/graphql',
  'http://10.0.0.1/',
  'http://172.16.0.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://[::ffff:127.0.0.1]/',
  'http://0x7f000001/',
  'http://[fe80::1]/',
  'http://[fd00:ec2::254]/',
  'http://localhost:4000/graphql',
  'http://internal.test/hook',
];

describe('outbound requests: Slack and webhook channels reach public addresses only', () => {
  let t: TestApp;
  let admin: Session;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    resolves.set('internal.test', '10.1.2.3');
    t = await startTestApp({}, { role: 'all', notifications: { dispatchIntervalMs: 200, lookup: testLookup } });
    admin = await adminSession(t);
  });
  afterAll(async () => {
    await t.stop();
    await receiver.stop();
  });

  const create = (input: CreateNotificationChannelInput) => gql(t.graphqlUrl, CreateNotificationChannelDocument, { input }, admin.token);
  const deliveriesOf = async (channelId: string) =>
    (await gqlOk(t.graphqlUrl, NotificationDeliveriesDocument, { channelId, first: 10 }, admin.token)).notificationDeliveries.nodes;

  it('should refuse loopback, link-local, private and unspecified webhook URLs on create and update with FORBIDDEN_DESTINATION, and save none', async () => {
    for (const webhookUrl of FORBIDDEN_WEBHOOK_URLS) {
      const res = await create({ kind: 'WEBHOOK', name: 'Probe', webhookUrl });
      expect([webhookUrl, errorCode(res)]).toEqual([webhookUrl, 'FORBIDDEN_DESTINATION']);
      expect(res.errors?.[0].extensions?.fields).toEqual(['webhookUrl']);
    }
    // A name is refused for what it resolves to, without telling where that is.
    const byName = await create({ kind: 'WEBHOOK', name: 'Probe', webhookUrl: 'http://internal.test/hook' });
    expect(byName.errors?.[0].message).toContain('internal.test resolves to a private address');
    expect(JSON.stringify(byName)).not.toContain('10.1.2.3');
    expect((await gqlOk(t.graphqlUrl, NotificationChannelsDocument, {}, admin.token)).notificationChannels).toEqual([]);

    resolves.set('receiver.test', PUBLIC_ADDRESS);
    const { createNotificationChannel } = await gqlOk(
      t.graphqlUrl,
      CreateNotificationChannelDocument,
      { input: { kind: 'WEBHOOK', name: 'Public', webhookUrl: 'https://receiver.test/hook' } },
      admin.token,
    );
    const id = createNotificationChannel.channel.id;
    for (const webhookUrl of FORBIDDEN_WEBHOOK_URLS) {
      expect([webhookUrl, errorCode(await gql(t.graphqlUrl, UpdateNotificationChannelDocument, { id, input: { webhookUrl } }, admin.token))]).toEqual([
        webhookUrl,
        'FORBIDDEN_DESTINATION',
      ]);
    }
    const [saved] = (await gqlOk(t.graphqlUrl, NotificationChannelsDocument, {}, admin.token)).notificationChannels;
    expect(saved.url).toBe('https://receiver.test/hook');
  });

  it('should accept Slack channels on https://hooks.slack.com only', async () => {
    for (const slackWebhookUrl of [
      'https://hooks.slack.com.evil.test/services/T0/B0/x',
      'http://hooks.slack.com/services/T0/B0/x',
      'https://user:pass@hooks.slack.com/services/T0/B0/x',
      'https://hooks.slack.com/',
      'http://127.0.0.1:5432/services/T0/B0/x',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const res = await create({ kind: 'SLACK', name: 'Probe', slackWebhookUrl });
      expect([slackWebhookUrl, errorCode(res)]).toEqual([slackWebhookUrl, 'INVALID_NOTIFICATION_CHANNEL']);
    }
    const ok = await create({ kind: 'SLACK', name: 'Slack', slackWebhookUrl: 'https://hooks.slack.com/services/T0/B0/secret' });
    expect(ok.errors).toBeUndefined();
  });

  it('should refuse at sending a name that pointed at a public address when saved and at this machine since (DNS rebinding), connecting nowhere', async () => {
    const w = await replyWorld(t, admin, 'Rebinding');
    resolves.set('rebind.test', PUBLIC_ADDRESS);
    const { createNotificationChannel: hook } = await gqlOk(
      t.graphqlUrl,
      CreateNotificationChannelDocument,
      { input: { kind: 'WEBHOOK', name: 'Rebinding', webhookUrl: `http://rebind.test:${receiver.port}/rebind` } },
      admin.token,
    );
    await gqlOk(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: hook.channel.id, eventType: 'REPLY_RECEIVED', campaignId: w.campaignId } }, admin.token);
    // The name now answers with the receiver's address on this machine.
    resolves.set('rebind.test', '127.0.0.1');
    await w.reply('msg-rebind-1', 'Interested');

    await eventually(async () => expect((await deliveriesOf(hook.channel.id))[0]?.status).toBe('FAILED'), 15_000, 100);
    const [delivery] = await deliveriesOf(hook.channel.id);
    // Refused before connecting, and not retried: another attempt cannot do better.
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: 'refused: rebind.test resolves to a loopback address' });
    expect(delivery.attemptLog.map((a) => a.error)).toEqual(['refused: rebind.test resolves to a loopback address']);
    expect(receiver.hits).toEqual([]);
  });

  it('should refuse at sending the channels saved before the check: this machine by address or name, and Slack URLs off Slack', async () => {
    const w = await replyWorld(t, admin, 'Saved before');
    const legacy = async (kind: 'WEBHOOK' | 'SLACK', url: string) => {
      // Raw SQL on purpose: the app refuses these destinations now, so only a direct write can store one.
      const [{ id }] = await t.app.dataSource.query(
        `INSERT INTO notification_channel (workspace_id, kind, name, url, secret) VALUES ($1, $2, 'Saved before', $3, $4) RETURNING id`,
        [admin.workspaceId, kind, kind === 'WEBHOOK' ? url : null, kind === 'SLACK' ? url : 'whsec_saved-before-the-check-0123456789'],
      );
      await gqlOk(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: id as string, eventType: 'REPLY_RECEIVED', campaignId: w.campaignId } }, admin.token);
      return id as string;
    };
    const expected = new Map([
      [await legacy('WEBHOOK', `${receiver.url}/by-address`), 'refused: loopback address 127.0.0.1'],
      [await legacy('WEBHOOK', `http://[::1]:${receiver.port}/by-v6-address`), 'refused: loopback address ::1'],
      [await legacy('WEBHOOK', `http://localhost:${receiver.port}/by-name`), 'refused: localhost resolves to a loopback address'],
      [await legacy('SLACK', `${receiver.url}/slack`), 'refused: not a Slack webhook URL (allowed: https://hooks.slack.com)'],
    ]);
    await w.reply('msg-legacy-1', 'Tell me more');

    await eventually(
      async () => {
        for (const channelId of expected.keys()) expect((await deliveriesOf(channelId))[0]?.status).toBe('FAILED');
      },
      15_000,
      100,
    );
    for (const [channelId, lastError] of expected) {
      expect(await deliveriesOf(channelId)).toEqual([expect.objectContaining({ attempts: 1, lastStatusCode: null, lastError })]);
    }
    expect(receiver.hits).toEqual([]);
  });
});

describe('outbound requests with NOTIFY_ALLOW_PRIVATE_NETWORKS=true', () => {
  let t: TestApp;
  let admin: Session;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp(
      { NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true' },
      { role: 'all', notifications: { dispatchIntervalMs: 200, retryDelayMs: 200, maxAttempts: 2, lookup: testLookup } },
    );
    admin = await adminSession(t);
  });
  afterAll(async () => {
    await t.stop();
    await receiver.stop();
  });

  const create = (input: CreateNotificationChannelInput) => gql(t.graphqlUrl, CreateNotificationChannelDocument, { input }, admin.token);
  const deliveryOf = async (channelId: string) =>
    (await gqlOk(t.graphqlUrl, NotificationDeliveriesDocument, { channelId, first: 1 }, admin.token)).notificationDeliveries.nodes[0];

  it('should still refuse link-local, metadata, unspecified and reserved addresses, and allow the private ones', async () => {
    for (const webhookUrl of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://[fd00:ec2::254]/', 'http://0.0.0.0/', 'http://[::]/', 'http://224.0.0.1/']) {
      expect([webhookUrl, errorCode(await create({ kind: 'WEBHOOK', name: 'Probe', webhookUrl }))]).toEqual([webhookUrl, 'FORBIDDEN_DESTINATION']);
    }
    // Saved only: no rule routes anything to them.
    for (const webhookUrl of ['http://10.0.0.1/hook', 'http://192.168.1.10:8080/hook', 'http://localhost:9/hook']) {
      expect([webhookUrl, (await create({ kind: 'WEBHOOK', name: 'LAN', webhookUrl })).errors]).toEqual([webhookUrl, undefined]);
    }
  });

  it("should keep only the status line of a receiver's answer, in lastError and the attempt log, and follow no redirect", async () => {
    const w = await replyWorld(t, admin, 'Answers');
    const channelIds: string[] = [];
    for (const path of ['/fails', '/redirect']) {
      const { createNotificationChannel } = await gqlOk(
        t.graphqlUrl,
        CreateNotificationChannelDocument,
        { input: { kind: 'WEBHOOK', name: path, webhookUrl: `${receiver.url}${path}` } },
        admin.token,
      );
      channelIds.push(createNotificationChannel.channel.id);
      await gqlOk(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: createNotificationChannel.channel.id, eventType: 'REPLY_RECEIVED', campaignId: w.campaignId } }, admin.token);
    }
    await w.reply('msg-answers-1', 'Sure');

    await eventually(async () => expect(await Promise.all(channelIds.map(async (id) => (await deliveryOf(id))?.status))).toEqual(['FAILED', 'FAILED']), 15_000, 100);
    const [fails, redirect] = await Promise.all(channelIds.map(deliveryOf));
    expect(fails).toMatchObject({ attempts: 2, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(fails.attemptLog.map((a) => a.error)).toEqual(['HTTP 500', 'HTTP 500']);
    expect(redirect).toMatchObject({ attempts: 2, lastStatusCode: 307, lastError: 'HTTP 307' });
    expect(receiver.hits.sort()).toEqual(['/fails', '/fails', '/redirect', '/redirect']);
    const { notificationDelivery } = await gqlOk(t.graphqlUrl, NotificationDeliveryDocument, { id: fails.id }, admin.token);
    expect(JSON.stringify(notificationDelivery)).not.toContain('hunter2');

    // Rows written before this release kept the body: the migration cuts them to the status line.
    // Raw SQL on purpose: the app no longer writes such rows, only an older release did.
    await t.app.dataSource.query(`UPDATE notification_delivery SET last_error = $2 WHERE id = $1`, [fails.id, `HTTP 500: ${INTERNAL_ANSWER}`]);
    await t.app.dataSource.query(
      `UPDATE notification_attempt SET error = CASE attempt WHEN 1 THEN $2 ELSE $3 END WHERE delivery_id = $1`,
      [fails.id, `HTTP 500: ${INTERNAL_ANSWER}`, 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:5432'],
    );
    const runner = t.app.dataSource.createQueryRunner();
    try {
      await new NotificationErrorStatusLines1795620300000().up(runner);
    } finally {
      await runner.release();
    }
    const scrubbed = (await gqlOk(t.graphqlUrl, NotificationDeliveryDocument, { id: fails.id }, admin.token)).notificationDelivery;
    expect(scrubbed.lastError).toBe('HTTP 500');
    expect(scrubbed.attemptLog.map((a) => a.error)).toEqual(['HTTP 500', 'connection failed: ECONNREFUSED']);
  });
});
