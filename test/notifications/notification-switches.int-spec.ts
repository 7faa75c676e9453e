import {
  CreateNotificationChannelDocument,
  type CreateNotificationChannelInput,
  CreateNotificationRuleDocument,
  NotificationDeliveriesDocument,
  NotificationSettingsDocument,
  UpdateNotificationSettingsDocument,
} from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import { eventually, startHttpReceiver, startSmtpReceiver } from './receivers';
import { replyWorld } from './world';

describe('notification switches (environment and workspace)', () => {
  let t: TestApp;
  let admin: Session;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    http = await startHttpReceiver();
    // The receivers are on this machine: private networks allowed, and Slack is the local receiver.
    t = await startTestApp(
      { SMTP_URL: smtp.url, NOTIFY_SLACK_ENABLED: 'false', NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true', NOTIFY_SLACK_WEBHOOK_ORIGINS: http.url },
      { role: 'all', notifications: { dispatchIntervalMs: 200, retryDelayMs: 200 } },
    );
    admin = await adminSession(t);
  });
  afterAll(async () => {
    await t.stop();
    await http.stop();
    await smtp.stop();
  });

  const channel = async (input: CreateNotificationChannelInput) => {
    const { createNotificationChannel } = await gqlOk(t.graphqlUrl, CreateNotificationChannelDocument, { input }, admin.token);
    await gqlOk(t.graphqlUrl, CreateNotificationRuleDocument, { input: { channelId: createNotificationChannel.channel.id, eventType: 'REPLY_RECEIVED' } }, admin.token);
    return createNotificationChannel.channel;
  };

  it('should send nothing on a channel kind disabled by the environment or by the workspace', async () => {
    const w = await replyWorld(t, admin, 'Switches');
    const email = await channel({ kind: 'EMAIL', name: 'Mail', recipients: ['ops@test.example'] });
    const slack = await channel({ kind: 'SLACK', name: 'Slack', slackWebhookUrl: `${http.url}/slack` });
    const hook = await channel({ kind: 'WEBHOOK', name: 'Hook', webhookUrl: `${http.url}/hook` });
    const { updateNotificationSettings } = await gqlOk(t.graphqlUrl, UpdateNotificationSettingsDocument, { input: { emailEnabled: false } }, admin.token);
    expect(updateNotificationSettings).toEqual({ emailEnabled: false, slackEnabled: true, webhooksEnabled: true });
    const { notificationSettings } = await gqlOk(t.graphqlUrl, NotificationSettingsDocument, {}, admin.token);
    expect(notificationSettings.environment).toEqual({ emailEnabled: true, slackEnabled: false, webhooksEnabled: true, smtpConfigured: true });

    const deliveries = async () => (await gqlOk(t.graphqlUrl, NotificationDeliveriesDocument, { first: 50 }, admin.token)).notificationDeliveries.nodes;
    await w.reply('switch-1', 'First reply');
    // The webhook proves the reply was dispatched. The dispatcher creates all of an event's
    // deliveries in one transaction, and nothing is sent without one: the log is complete for
    // this reply now, no waiting needed.
    await eventually(() => expect(http.on('/hook')).toHaveLength(1));
    const first = await deliveries();
    expect(first.map((d) => d.channelId)).toEqual([hook.id]);
    expect(first.map((d) => d.channelId)).not.toContain(email.id);
    expect(first.map((d) => d.channelId)).not.toContain(slack.id);
    expect(http.on('/slack')).toHaveLength(0);
    expect(smtp.mails).toHaveLength(0);

    // The workspace turns email back on and webhooks off: the next reply goes by email only.
    await gqlOk(t.graphqlUrl, UpdateNotificationSettingsDocument, { input: { emailEnabled: true, webhooksEnabled: false } }, admin.token);
    await w.reply('switch-2', 'Second reply');
    await eventually(() => expect(smtp.mails).toHaveLength(1));
    const second = (await deliveries()).filter((d) => !first.some((f) => f.id === d.id));
    expect(second.map((d) => d.channelId)).toEqual([email.id]);
    expect(http.on('/hook')).toHaveLength(1);
    expect(http.on('/slack')).toHaveLength(0);
    expect(smtp.mails[0].raw).toContain('Second reply');
  });

  it('should skip, not send, a queued delivery whose kind was switched off before it went out', async () => {
    const w = await replyWorld(t, admin, 'Switch late');
    await gqlOk(t.graphqlUrl, UpdateNotificationSettingsDocument, { input: { webhooksEnabled: true } }, admin.token);
    const hook = await channel({ kind: 'WEBHOOK', name: 'Late hook', webhookUrl: `${http.url}/late` });
    // Create the delivery without letting its job run: dispatch by hand, then switch off, then deliver.
    await t.app.jobs.stop();
    await w.reply('late-1', 'Late reply');
    // (A dispatch already running when the worker stopped may have created it first.)
    const deliveriesOfHook = async () => (await gqlOk(t.graphqlUrl, NotificationDeliveriesDocument, { channelId: hook.id }, admin.token)).notificationDeliveries.nodes;
    await eventually(async () => {
      await t.app.notifications.dispatcher.dispatch();
      expect(await deliveriesOfHook()).toHaveLength(1);
    });
    const [pending] = await deliveriesOfHook();
    expect(pending.status).toBe('PENDING');
    await gqlOk(t.graphqlUrl, UpdateNotificationSettingsDocument, { input: { webhooksEnabled: false } }, admin.token);
    expect(await t.app.notifications.deliverer.deliver(pending.id)).toEqual({ status: 'SKIPPED', attempt: 0 });
    expect(http.on('/late')).toHaveLength(0);
    const [skipped] = await deliveriesOfHook();
    expect(skipped).toMatchObject({ status: 'SKIPPED', attempts: 0, lastError: 'CHANNEL_DISABLED' });
  });
});
