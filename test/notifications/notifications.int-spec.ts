import { Role } from '../../src/core/graphql/viewer';
import { verifyWebhookSignature } from '../../src/modules/notifications/channels/webhook-signature';
import {
  CreateNotificationChannelDocument,
  type CreateNotificationChannelInput,
  CreateNotificationRuleDocument,
  NotificationChannelsDocument,
  NotificationDeliveriesDocument,
  NotificationDeliveryDocument,
  type NotificationEventType,
  ReplayNotificationDocument,
  SetCampaignStatusDocument,
  UpdateNotificationChannelDocument,
} from '../graphql/generated';
import { markAccountDisconnected } from '../factories/account.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';
import { eventually, type ReceivedMail, startHttpReceiver, startSmtpReceiver } from './receivers';
import { replyWorld } from './world';

const RETRY_DELAY_MS = 300;

describe('operator notifications', () => {
  let t: TestApp;
  let admin: Session;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;
  // Per path: how many times to fail (500) before answering 200.
  const failuresBefore = new Map<string, number>();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    http = await startHttpReceiver((path, n) => (n <= (failuresBefore.get(path) ?? 0) ? 500 : 200));
    t = await startTestApp(
      {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Outreach <notify@test.example>',
        PUBLIC_URL: 'https://outreach.test.example',
        // The receivers are on this machine: private networks allowed, and Slack is the local receiver.
        NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true',
        NOTIFY_SLACK_WEBHOOK_ORIGINS: http.url,
      },
      { role: 'all', notifications: { dispatchIntervalMs: 200, retryDelayMs: RETRY_DELAY_MS, maxAttempts: 3 } },
    );
    admin = await adminSession(t);
  });
  afterAll(async () => {
    await t.stop();
    await http.stop();
    await smtp.stop();
  });

  const createChannel = async (input: CreateNotificationChannelInput) =>
    (await gqlOk(t.graphqlUrl, CreateNotificationChannelDocument, { input }, admin.token)).createNotificationChannel;
  const route = (channelId: string, campaignId?: string, eventType: NotificationEventType = 'REPLY_RECEIVED') =>
    gqlOk(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId, eventType, campaignId } }, admin.token);
  const deliveriesOf = async (channelId: string) =>
    (await gqlOk(t.graphqlUrl, NotificationDeliveriesDocument, { channelId, first: 50 }, admin.token)).notificationDeliveries.nodes;
  const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((m) => m.to.includes(address));

  it('should send exactly one email, one Slack post and one signed webhook for a reply recorded five times', async () => {
    const w = await replyWorld(t, admin, 'Notify once');
    const email = await createChannel({ kind: 'EMAIL', name: 'Ops inbox', recipients: ['ops@test.example'] });
    const slackPath = '/slack/T000/B000/once';
    const slack = await createChannel({ kind: 'SLACK', name: '#replies', slackWebhookUrl: `${http.url}${slackPath}` });
    const hook = await createChannel({ kind: 'WEBHOOK', name: 'CRM', webhookUrl: `${http.url}/hooks/once` });
    expect(hook.signingSecret).toMatch(/^whsec_/);
    await route(email.channel.id, w.campaignId);
    await route(slack.channel.id);
    await route(hook.channel.id, w.campaignId);

    for (let i = 0; i < 5; i++) await w.reply('msg-once-1', 'Sounds <great>, call me Tuesday');

    await eventually(() => {
      expect(mailsTo('ops@test.example')).toHaveLength(1);
      expect(http.on(slackPath)).toHaveLength(1);
      expect(http.on('/hooks/once')).toHaveLength(1);
    });
    // Nothing more, shown by order rather than by waiting: a later reply in another campaign
    // (routed to the workspace-wide Slack rule only) is dispatched after every event before it,
    // and all of an event's deliveries are created at once. Then a dispatcher that reads every
    // event again from the start, and one more later reply after that.
    const laterReply = async (name: string, posts: number) => {
      await (await replyWorld(t, admin, name)).reply(`msg-${name}`, 'Later');
      await eventually(() => expect(http.on(slackPath)).toHaveLength(posts));
    };
    await laterReply('Notify once, later', 2);
    // Raw SQL on purpose: the dispatcher never moves its cursor back; this forges one that lost its place.
    await t.app.dataSource.query(`UPDATE notification_cursor SET last_event_id = 0, gap_event_id = NULL, gap_since = NULL`);
    expect((await t.app.notifications.dispatcher.dispatch()).deliveries).toBe(0);
    await laterReply('Notify once, last', 3);
    expect(mailsTo('ops@test.example')).toHaveLength(1);
    expect(http.on('/hooks/once')).toHaveLength(1);
    expect(new Set(http.on(slackPath).map((r) => (JSON.parse(r.body) as { text: string }).text)).size).toBe(3);

    const [mail] = mailsTo('ops@test.example');
    expect(mail.raw).toMatch(/Subject: New reply from Jane Doe in Notify once/);
    expect(mail.raw).toMatch(/From: Outreach <notify@test.example>/);
    expect(mail.raw).toContain('text/plain');
    expect(mail.raw).toContain('text/html');
    expect(mail.raw).toContain('Sounds &lt;great&gt;, call me Tuesday');

    const post = JSON.parse(http.on(slackPath)[0].body) as { text: string; blocks: Array<{ type: string; fields?: Array<{ text: string }>; text?: { text: string }; elements?: Array<{ url?: string }> }> };
    expect(post.text).toBe('New reply from Jane Doe in Notify once');
    expect(post.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(post.blocks[1].fields?.map((f) => f.text)).toEqual(['*Lead*\nJane Doe (Acme &amp; Sons)', '*Campaign*\nNotify once', '*Sender*\nNotify once sender']);
    expect(post.blocks[2].text?.text).toBe('>Sounds &lt;great&gt;, call me Tuesday');
    expect(post.blocks[3].elements?.[0].url).toMatch(/^https:\/\/www\.linkedin\.com\/in\//);

    const request = http.on('/hooks/once')[0];
    const body = JSON.parse(request.body) as { id: string; type: string; data: { lead: { id: string }; campaign: { id: string }; reply: { text: string } } };
    expect(body).toMatchObject({ type: 'REPLY_RECEIVED', data: { lead: { id: w.leadId }, campaign: { id: w.campaignId }, reply: { text: 'Sounds <great>, call me Tuesday' } } });
    expect(request.headers['x-outreach-event']).toBe('REPLY_RECEIVED');
    expect(request.headers['x-outreach-event-id']).toBe(body.id);
    const signature = request.headers['x-outreach-signature'] as string;
    expect(verifyWebhookSignature(hook.signingSecret!, signature, request.body)).toBe(true);
    expect(verifyWebhookSignature(hook.signingSecret!, signature, request.body.replace('Tuesday', 'Monday'))).toBe(false);

    // One delivery per channel for the reply (Slack's other two are the later replies'), each sent once.
    expect((await deliveriesOf(email.channel.id)).length).toBe(1);
    expect((await deliveriesOf(hook.channel.id)).length).toBe(1);
    expect(new Set((await deliveriesOf(slack.channel.id)).map((d) => d.liveEventId)).size).toBe(3);
    for (const channel of [email, slack, hook]) {
      const deliveries = (await deliveriesOf(channel.channel.id)).filter((d) => d.liveEventId === body.id);
      expect(deliveries).toHaveLength(1);
      const [delivery] = deliveries;
      expect(delivery).toMatchObject({ status: 'SENT', attempts: 1, liveEventId: body.id, eventType: 'REPLY_RECEIVED', campaignId: w.campaignId });
      expect(delivery.lastStatusCode).toBe(channel === email ? 250 : 200);
      expect(delivery.attemptLog).toHaveLength(1);
    }
  });

  it('should deliver to a receiver that fails twice on the third attempt, with growing delays, and log every attempt', async () => {
    const w = await replyWorld(t, admin, 'Notify retry');
    failuresBefore.set('/hooks/flaky', 2);
    const hook = await createChannel({ kind: 'WEBHOOK', name: 'Flaky', webhookUrl: `${http.url}/hooks/flaky` });
    await route(hook.channel.id, w.campaignId);
    await w.reply('msg-retry-1', 'Interested');

    await eventually(async () => expect((await deliveriesOf(hook.channel.id))[0]?.status).toBe('SENT'));
    const requests = http.on('/hooks/flaky');
    expect(requests).toHaveLength(3);
    // Exponential backoff: at least the base delay, then at least twice it.
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(RETRY_DELAY_MS - 20);
    expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(2 * RETRY_DELAY_MS - 20);
    // Every attempt carries the same event, freshly signed.
    expect(new Set(requests.map((r) => JSON.parse(r.body).id)).size).toBe(1);
    expect(requests.every((r) => verifyWebhookSignature(hook.signingSecret!, r.headers['x-outreach-signature'] as string, r.body))).toBe(true);

    const [delivery] = await deliveriesOf(hook.channel.id);
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(delivery.attemptLog.map((a) => [a.attempt, a.ok, a.responseCode])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, true, 200],
    ]);
    // The status only: what the receiver answered is not kept.
    expect(delivery.attemptLog[0].error).toBe('HTTP 500');
    expect(delivery.attemptLog.every((a) => a.latencyMs >= 0)).toBe(true);
  });

  it('should mark a delivery FAILED after the last attempt, and replay it to success', async () => {
    const w = await replyWorld(t, admin, 'Notify replay');
    failuresBefore.set('/hooks/down', 3);
    const hook = await createChannel({ kind: 'WEBHOOK', name: 'Down', webhookUrl: `${http.url}/hooks/down` });
    await route(hook.channel.id, w.campaignId);
    await w.reply('msg-replay-1', 'Tell me more');

    await eventually(async () => expect((await deliveriesOf(hook.channel.id))[0]?.status).toBe('FAILED'));
    const [failed] = await deliveriesOf(hook.channel.id);
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 500 });
    // FAILED is written after the last attempt's answer; nothing claims a FAILED delivery again
    // (the replay below finds exactly one more request: no attempt came in between).
    expect(http.on('/hooks/down')).toHaveLength(3);

    const { replayNotification } = await gqlOk(t.graphqlUrl, ReplayNotificationDocument, { deliveryId: failed.id }, admin.token);
    expect(replayNotification.id).toBe(failed.id);
    await eventually(async () => {
      const { notificationDelivery } = await gqlOk(t.graphqlUrl, NotificationDeliveryDocument, { id: failed.id }, admin.token);
      expect(notificationDelivery).toMatchObject({ status: 'SENT', attempts: 4, lastStatusCode: 200 });
      expect(notificationDelivery.attemptLog.map((a) => a.ok)).toEqual([false, false, false, true]);
    });
    const requests = http.on('/hooks/down');
    expect(requests).toHaveLength(4);
    expect(JSON.parse(requests[3].body).id).toBe(failed.liveEventId);

    // A SENT delivery can be replayed too (a receiver lost it): same event id again.
    await gqlOk(t.graphqlUrl, ReplayNotificationDocument, { deliveryId: failed.id }, admin.token);
    await eventually(() => expect(http.on('/hooks/down')).toHaveLength(5));
    expect(JSON.parse(http.on('/hooks/down')[4].body).id).toBe(failed.liveEventId);
  });

  it('should route by campaign and event type: completed campaigns and disconnected accounts', async () => {
    const routed = await replyWorld(t, admin, 'Notify routed');
    const other = await replyWorld(t, admin, 'Notify other');
    const hook = await createChannel({ kind: 'WEBHOOK', name: 'Ops events', webhookUrl: `${http.url}/hooks/events` });
    await route(hook.channel.id, routed.campaignId, 'CAMPAIGN_COMPLETED');
    await route(hook.channel.id, undefined, 'ACCOUNT_DISCONNECTED');

    await other.reply('msg-other-1', 'not routed: REPLY_RECEIVED has no rule here');
    for (const w of [routed, other]) {
      await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: w.campaignId, status: 'ACTIVE' }, admin.token);
      await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: w.campaignId, status: 'COMPLETED' }, admin.token);
    }
    await markAccountDisconnected(t.app.dataSource, other.account.id, 'credentials');

    // The disconnection is the last event: once its delivery exists, every event before it has
    // been dispatched, and the channel's deliveries are all it will ever get for them.
    await eventually(async () => expect((await deliveriesOf(hook.channel.id)).map((d) => d.eventType)).toContain('ACCOUNT_DISCONNECTED'));
    expect((await deliveriesOf(hook.channel.id)).map((d) => [d.eventType, d.campaignId]).sort()).toEqual([
      ['ACCOUNT_DISCONNECTED', null],
      ['CAMPAIGN_COMPLETED', routed.campaignId],
    ]);
    await eventually(() => expect(http.on('/hooks/events')).toHaveLength(2));
    const bodies = http.on('/hooks/events').map((r) => JSON.parse(r.body) as { type: string; data: { campaign: { id: string } | null; account: { id: string } | null; accountStatus: unknown } });
    expect(bodies.map((b) => b.type).sort()).toEqual(['ACCOUNT_DISCONNECTED', 'CAMPAIGN_COMPLETED']);
    expect(bodies.find((b) => b.type === 'CAMPAIGN_COMPLETED')?.data.campaign?.id).toBe(routed.campaignId);
    expect(bodies.find((b) => b.type === 'ACCOUNT_DISCONNECTED')?.data).toMatchObject({
      account: { id: other.account.id },
      accountStatus: { status: 'DISCONNECTED', reason: 'credentials' },
    });
  });

  it('should keep notifications to admins and never return secrets', async () => {
    const slackUrl = `${http.url}/slack/T111/B222/very-secret-token-xyz9`;
    const slack = await createChannel({ kind: 'SLACK', name: 'Secret slack', slackWebhookUrl: slackUrl });
    const hook = await createChannel({ kind: 'WEBHOOK', name: 'Secret hook', webhookUrl: `${http.url}/hooks/s?token=abc` });
    const channels = await gql(t.graphqlUrl, NotificationChannelsDocument, {}, admin.token);
    const text = JSON.stringify(channels);
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain(hook.signingSecret!);
    expect(text).not.toContain('token=abc');
    const shown = channels.data!.notificationChannels;
    expect(shown.find((c) => c.id === slack.channel.id)?.secretHint).toBe(`${http.url}/…xyz9`);
    expect(shown.find((c) => c.id === hook.channel.id)).toMatchObject({ url: `${http.url}/hooks/s?…`, secretHint: `…${hook.signingSecret!.slice(-4)}` });
    expect(slack.signingSecret).toBeNull();

    const updated = await gqlOk(t.graphqlUrl, UpdateNotificationChannelDocument, { id: hook.channel.id, input: { signingSecret: 'x'.repeat(28) + 'abcd' } }, admin.token);
    expect(updated.updateNotificationChannel.secretHint).toBe('…abcd');
    const wrongKind = await gql(t.graphqlUrl, UpdateNotificationChannelDocument, { id: slack.channel.id, input: { recipients: ['a@b.example'] } }, admin.token);
    expect(errorCode(wrongKind)).toBe('INVALID_NOTIFICATION_CHANNEL');
    const missing = await gql(t.graphqlUrl, CreateNotificationChannelDocument, { input: { kind: 'EMAIL', name: 'No one' } }, admin.token);
    expect(errorCode(missing)).toBe('INVALID_NOTIFICATION_CHANNEL');
    await route(slack.channel.id);
    expect(errorCode(await gql(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: slack.channel.id, eventType: 'REPLY_RECEIVED' } }, admin.token))).toBe(
      'NOTIFICATION_RULE_EXISTS',
    );

    const member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    expect(errorCode(await gql(t.graphqlUrl, NotificationChannelsDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(t.graphqlUrl, NotificationDeliveriesDocument, {}, member.token))).toBe('FORBIDDEN');
    // Another workspace's admin sees none of it.
    const stranger = await newSession(t);
    expect((await gqlOk(t.graphqlUrl, NotificationChannelsDocument, {}, stranger.token)).notificationChannels).toEqual([]);
    expect(errorCode(await gql(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: slack.channel.id, eventType: 'REPLY_RECEIVED' } }, stranger.token))).toBe(
      'NOT_FOUND',
    );
  });
});
