import { randomUUID } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { DomainError } from '../../src/core/errors';
import { DestinationGuard } from '../../src/modules/notifications/channels/destination-guard';
import { NotificationCampaignsRepository } from '../../src/modules/notifications/notification-campaigns.repository';
import { NotificationChannel } from '../../src/modules/notifications/notification-channel.entity';
import {
  type NewNotificationChannel,
  type NewNotificationRule,
  NotificationChannelRepository,
} from '../../src/modules/notifications/notification-channel.repository';
import { NotificationChannelKind, NotificationEventType } from '../../src/modules/notifications/notification-kinds';
import { NotificationRule } from '../../src/modules/notifications/notification-rule.entity';
import { NotificationSettings } from '../../src/modules/notifications/notification-settings.entity';
import { NotificationSettingsRepository, type NotificationSwitches } from '../../src/modules/notifications/notification-settings.repository';
import { NotificationService } from '../../src/modules/notifications/notification.service';
import type { NotifierSettings } from '../../src/modules/notifications/notifier-settings';
import { adminOf, noDatabase } from '../support/no-database';

// The rules of NotificationService (which fields each kind takes, where channels may send, rule
// uniqueness, workspace scoping) with in-memory repositories: no database, no network.

const WS = randomUUID();
const OTHER_WS = randomUUID();
const viewer = adminOf(WS);
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';

class FakeSwitches extends NotificationSettingsRepository {
  readonly rows = new Map<string, NotificationSettings>();
  constructor() {
    super(noDatabase);
  }
  override async find(workspaceId: string) {
    return this.rows.get(workspaceId) ?? null;
  }
  override async save(workspaceId: string, switches: NotificationSwitches) {
    this.rows.set(workspaceId, Object.assign(new NotificationSettings(), { workspaceId, ...switches, updatedAt: new Date() }));
  }
}

class FakeChannels extends NotificationChannelRepository {
  readonly channels: NotificationChannel[] = [];
  readonly rules: NotificationRule[] = [];
  /** Every lookup by id, to show which ones never reach the repository. */
  readonly lookedUp: string[] = [];
  constructor() {
    super(noDatabase);
  }
  override async listChannels(workspaceId: string) {
    return this.channels.filter((c) => c.workspaceId === workspaceId);
  }
  override async findChannel(workspaceId: string, id: string) {
    this.lookedUp.push(id);
    return this.channels.find((c) => c.id === id && c.workspaceId === workspaceId) ?? null;
  }
  override async createChannel(fields: NewNotificationChannel) {
    const channel = Object.assign(new NotificationChannel(), fields, { id: randomUUID(), createdAt: new Date(), updatedAt: new Date() });
    this.channels.push(channel);
    return channel;
  }
  override async saveChannel(channel: NotificationChannel) {
    Object.assign(this.channels.find((c) => c.id === channel.id)!, channel);
  }
  override async deleteChannel(workspaceId: string, id: string) {
    this.lookedUp.push(id);
    const i = this.channels.findIndex((c) => c.id === id && c.workspaceId === workspaceId);
    if (i >= 0) this.channels.splice(i, 1);
    return i >= 0;
  }
  override async listRules(workspaceId: string) {
    return this.rules.filter((r) => r.workspaceId === workspaceId);
  }
  override async rulesOfChannel(channelId: string) {
    return this.rules.filter((r) => r.channelId === channelId);
  }
  // Unique on (channel, event type, campaign), a null campaign counting as one value: as the database's index.
  override async insertRule(rule: NewNotificationRule) {
    const exists = this.rules.some((r) => r.channelId === rule.channelId && r.eventType === rule.eventType && r.campaignId === rule.campaignId);
    if (exists) return undefined;
    const row = Object.assign(new NotificationRule(), rule, { id: randomUUID(), createdAt: new Date() });
    this.rules.push(row);
    return row.id;
  }
  override async getRule(id: string) {
    return this.rules.find((r) => r.id === id)!;
  }
  override async deleteRule(workspaceId: string, id: string) {
    this.lookedUp.push(id);
    const i = this.rules.findIndex((r) => r.id === id && r.workspaceId === workspaceId);
    if (i >= 0) this.rules.splice(i, 1);
    return i >= 0;
  }
}

class FakeCampaigns extends NotificationCampaignsRepository {
  constructor(private readonly campaigns: Array<{ id: string; workspaceId: string }>) {
    super(noDatabase);
  }
  override async exists(workspaceId: string, campaignId: string) {
    return this.campaigns.some((c) => c.id === campaignId && c.workspaceId === workspaceId);
  }
}

// Made-up names resolve without DNS: internal.example to a private address, anything else to a public one.
const lookup: LookupFunction = (hostname, options, callback) => {
  const address = hostname.startsWith('internal.') ? '10.0.0.7' : '93.184.216.34';
  if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address, family: 4 }]);
  callback(null, address, 4);
};

function notifierSettings(overrides: Partial<NotifierSettings> = {}): NotifierSettings {
  return {
    emailEnabled: true,
    slackEnabled: true,
    webhooksEnabled: true,
    mailFrom: 'Outreach <n@example.com>',
    dispatchIntervalMs: 5_000,
    retryDelayMs: 30_000,
    maxRetryDelayMs: 3_600_000,
    maxAttempts: 6,
    timeoutMs: 1_000,
    allowPrivateNetworks: false,
    slackWebhookOrigins: ['https://hooks.slack.com'],
    lookup,
    ...overrides,
  };
}

function setup(overrides: Partial<NotifierSettings> = {}, campaigns: Array<{ id: string; workspaceId: string }> = []) {
  const settings = notifierSettings(overrides);
  const switches = new FakeSwitches();
  const channels = new FakeChannels();
  const guard = new DestinationGuard({ allowPrivateNetworks: settings.allowPrivateNetworks, lookup });
  const service = new NotificationService(switches, channels, new FakeCampaigns(campaigns), settings, guard);
  return { service, switches, channels };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError & { details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected the call to be refused');
}

describe(NotificationService.name, () => {
  describe('settings', () => {
    it('should show every kind on when the workspace never set its switches, and the environment as configured', async () => {
      const { service } = setup({ slackEnabled: false });

      const view = await service.getSettings(viewer);

      expect(view).toEqual({
        emailEnabled: true,
        slackEnabled: true,
        webhooksEnabled: true,
        // Email also needs SMTP_URL.
        environment: { emailEnabled: false, slackEnabled: false, webhooksEnabled: true, smtpConfigured: false },
      });
    });

    it('should change only the switches given and keep the others', async () => {
      const { service, switches } = setup({ smtpUrl: 'smtp://mail.example.com' });
      await service.updateSettings(viewer, { slackEnabled: false });

      const view = await service.updateSettings(viewer, { emailEnabled: false });

      expect(view).toMatchObject({ emailEnabled: false, slackEnabled: false, webhooksEnabled: true, environment: { emailEnabled: true, smtpConfigured: true } });
      expect(switches.rows.get(WS)).toMatchObject({ emailEnabled: false, slackEnabled: false, webhooksEnabled: true });
    });
  });

  describe('channels', () => {
    it('should refuse a field of another kind and store nothing', async () => {
      const { service, channels } = setup();

      const error = await refusal(
        service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'Ops', recipients: ['ops@example.com'], webhookUrl: 'https://example.com/hook' }),
      );

      expect(error).toMatchObject({ code: 'INVALID_NOTIFICATION_CHANNEL', details: { fields: ['webhookUrl'] } });
      expect(channels.channels).toHaveLength(0);
    });

    it('should refuse a new channel without the field its kind needs', async () => {
      const { service } = setup();

      const error = await refusal(service.createChannel(viewer, { kind: NotificationChannelKind.SLACK, name: 'Ops' }));

      expect(error).toMatchObject({ code: 'INVALID_NOTIFICATION_CHANNEL', details: { fields: ['slackWebhookUrl'] } });
    });

    it('should refuse a Slack channel whose URL is not on a Slack webhook origin', async () => {
      const { service } = setup();

      const error = await refusal(service.createChannel(viewer, { kind: NotificationChannelKind.SLACK, name: 'Ops', slackWebhookUrl: 'https://example.com/services/x' }));

      expect(error).toMatchObject({ code: 'INVALID_NOTIFICATION_CHANNEL', details: { fields: ['slackWebhookUrl'] } });
    });

    it('should refuse a webhook to a private address unless private networks are allowed', async () => {
      const input = { kind: NotificationChannelKind.WEBHOOK, name: 'Internal', webhookUrl: 'https://internal.example/hook' };

      const error = await refusal(setup().service.createChannel(viewer, input));
      const allowed = await setup({ allowPrivateNetworks: true }).service.createChannel(viewer, input);

      expect(error).toMatchObject({ code: 'FORBIDDEN_DESTINATION', details: { fields: ['webhookUrl'], reason: 'internal.example resolves to a private address' } });
      expect(allowed.channel).toMatchObject({ kind: NotificationChannelKind.WEBHOOK, url: 'https://internal.example/hook' });
    });

    it('should refuse a link-local address even when private networks are allowed', async () => {
      const { service } = setup({ allowPrivateNetworks: true });

      const error = await refusal(service.createChannel(viewer, { kind: NotificationChannelKind.WEBHOOK, name: 'Metadata', webhookUrl: 'http://169.254.169.254/latest' }));

      expect(error).toMatchObject({ code: 'FORBIDDEN_DESTINATION', details: { reason: 'link-local address 169.254.169.254' } });
    });

    it('should generate a signing secret for a webhook channel given none, shown once and masked afterwards', async () => {
      const { service, channels } = setup();

      const created = await service.createChannel(viewer, { kind: NotificationChannelKind.WEBHOOK, name: '  Hooks  ', webhookUrl: 'https://receiver.example/hook?token=abc' });

      expect(created.signingSecret).toMatch(/^whsec_/);
      expect(channels.channels[0]).toMatchObject({ workspaceId: WS, name: 'Hooks', secret: created.signingSecret, recipients: [] });
      expect(created.channel.secretHint).toBe(`…${created.signingSecret!.slice(-4)}`);
      expect(created.channel.url).toBe('https://receiver.example/hook?…');
    });

    it('should update a channel of the workspace with the fields given, keeping the others', async () => {
      const { service } = setup();
      const { channel } = await service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'Ops', recipients: ['a@example.com'] });

      const updated = await service.updateChannel(viewer, channel.id, { recipients: ['b@example.com'] });

      expect(updated).toMatchObject({ id: channel.id, name: 'Ops', recipients: ['b@example.com'] });
    });

    it("should not find another workspace's channel, nor look up an id that is not a UUID", async () => {
      const { service, channels } = setup();
      const theirs = await channels.createChannel({ workspaceId: OTHER_WS, kind: NotificationChannelKind.EMAIL, name: 'Theirs', recipients: ['t@example.com'], url: null, secret: null });

      const update = await refusal(service.updateChannel(viewer, theirs.id, { name: 'Mine' }));
      const remove = await refusal(service.deleteChannel(viewer, theirs.id));
      const malformed = await refusal(service.deleteChannel(viewer, 'not-a-uuid'));

      expect([update.code, remove.code, malformed.code]).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
      expect(channels.channels.map((c) => c.name)).toEqual(['Theirs']);
      expect(channels.lookedUp).not.toContain('not-a-uuid');
    });
  });

  describe('rules', () => {
    it('should refuse a second rule for the same channel, event type and campaign', async () => {
      const { service } = setup();
      const { channel } = await service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'Ops', recipients: ['a@example.com'] });
      const input = { channelId: channel.id, eventType: NotificationEventType.REPLY_RECEIVED };
      const first = await service.createRule(viewer, input);

      const error = await refusal(service.createRule(viewer, input));

      expect(first).toMatchObject({ channelId: channel.id, eventType: NotificationEventType.REPLY_RECEIVED, campaignId: null });
      expect(error).toMatchObject({ code: 'NOTIFICATION_RULE_EXISTS', details: { channelId: channel.id, campaignId: null } });
    });

    it("should refuse a rule on another workspace's campaign, or on a campaign id that is not a UUID", async () => {
      const theirCampaign = randomUUID();
      const ours = randomUUID();
      const { service, channels } = setup({}, [
        { id: theirCampaign, workspaceId: OTHER_WS },
        { id: ours, workspaceId: WS },
      ]);
      const { channel } = await service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'Ops', recipients: ['a@example.com'] });

      const theirs = await refusal(service.createRule(viewer, { channelId: channel.id, eventType: NotificationEventType.CAP_REACHED, campaignId: theirCampaign }));
      const malformed = await refusal(service.createRule(viewer, { channelId: channel.id, eventType: NotificationEventType.CAP_REACHED, campaignId: 'x' }));
      const rule = await service.createRule(viewer, { channelId: channel.id, eventType: NotificationEventType.CAP_REACHED, campaignId: ours });

      expect([theirs.code, malformed.code]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(rule.campaignId).toBe(ours);
      expect(channels.rules).toHaveLength(1);
    });

    it('should list each channel with its own rules', async () => {
      const { service } = setup();
      const a = await service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'A', recipients: ['a@example.com'] });
      const b = await service.createChannel(viewer, { kind: NotificationChannelKind.SLACK, name: 'B', slackWebhookUrl: SLACK_URL });
      await service.createRule(viewer, { channelId: b.channel.id, eventType: NotificationEventType.REPLY_RECEIVED });

      const list = await service.listChannels(viewer);

      expect(list.map((c) => [c.name, c.rules.length])).toEqual([
        ['A', 0],
        ['B', 1],
      ]);
      expect(list[1].secretHint).toBe(`https://hooks.slack.com/…${SLACK_URL.slice(-4)}`);
      expect(a.signingSecret).toBeNull();
    });

    it('should delete a rule of the workspace only', async () => {
      const { service, channels } = setup();
      const { channel } = await service.createChannel(viewer, { kind: NotificationChannelKind.EMAIL, name: 'Ops', recipients: ['a@example.com'] });
      const rule = await service.createRule(viewer, { channelId: channel.id, eventType: NotificationEventType.CAMPAIGN_COMPLETED });

      const otherWorkspace = await refusal(service.deleteRule(adminOf(OTHER_WS), rule.id));
      const deleted = await service.deleteRule(viewer, rule.id);

      expect(otherWorkspace.code).toBe('NOT_FOUND');
      expect(deleted).toBe(true);
      expect(channels.rules).toHaveLength(0);
    });
  });
});
