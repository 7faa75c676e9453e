import { isUUID } from 'class-validator';
import { NotFoundError } from '../../core/errors';
import type { Viewer } from '../../core/graphql/viewer';
import { displayUrl, generateSigningSecret, maskSecret, maskUrl } from './channel-secrets';
import type { DestinationGuard } from './channels/destination-guard';
import { isSlackWebhookUrl } from './channels/slack.sender';
import type { NotificationCampaignsRepository } from './notification-campaigns.repository';
import type { NotificationChannel } from './notification-channel.entity';
import type { NotificationChannelRepository } from './notification-channel.repository';
import { NotificationChannelKind } from './notification-kinds';
import { NotificationError } from './notification.errors';
import type { NotificationRule } from './notification-rule.entity';
import type { NotificationSettingsRepository } from './notification-settings.repository';
import type {
  CreateNotificationChannelInput,
  CreatedNotificationChannel,
  NotificationChannelView,
  NotificationRuleInput,
  NotificationRuleView,
  NotificationSettingsInput,
  NotificationSettingsView,
  UpdateNotificationChannelInput,
} from './notification.types';
import { kindEnabled, type NotifierSettings } from './notifier-settings';

type ChannelFields = Pick<CreateNotificationChannelInput, 'recipients' | 'slackWebhookUrl' | 'webhookUrl' | 'signingSecret'>;

// Which input fields each kind takes; anything else is refused rather than silently dropped.
const FIELDS_OF: Record<NotificationChannelKind, Array<keyof ChannelFields>> = {
  [NotificationChannelKind.EMAIL]: ['recipients'],
  [NotificationChannelKind.SLACK]: ['slackWebhookUrl'],
  [NotificationChannelKind.WEBHOOK]: ['webhookUrl', 'signingSecret'],
};

/** Per-workspace switches, channels and routing rules (admin operations). */
export class NotificationService {
  constructor(
    private readonly switches: NotificationSettingsRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly campaigns: NotificationCampaignsRepository,
    private readonly settings: NotifierSettings,
    private readonly guard: DestinationGuard,
  ) {}

  async getSettings(viewer: Viewer): Promise<NotificationSettingsView> {
    const row = await this.switches.find(viewer.workspaceId);
    return {
      emailEnabled: row?.emailEnabled ?? true,
      slackEnabled: row?.slackEnabled ?? true,
      webhooksEnabled: row?.webhooksEnabled ?? true,
      environment: {
        emailEnabled: kindEnabled(this.settings, NotificationChannelKind.EMAIL),
        slackEnabled: kindEnabled(this.settings, NotificationChannelKind.SLACK),
        webhooksEnabled: kindEnabled(this.settings, NotificationChannelKind.WEBHOOK),
        smtpConfigured: Boolean(this.settings.smtpUrl),
      },
    };
  }

  async updateSettings(viewer: Viewer, input: NotificationSettingsInput): Promise<NotificationSettingsView> {
    const current = await this.getSettings(viewer);
    await this.switches.save(viewer.workspaceId, {
      emailEnabled: input.emailEnabled ?? current.emailEnabled,
      slackEnabled: input.slackEnabled ?? current.slackEnabled,
      webhooksEnabled: input.webhooksEnabled ?? current.webhooksEnabled,
    });
    return this.getSettings(viewer);
  }

  async listChannels(viewer: Viewer): Promise<NotificationChannelView[]> {
    const channels = await this.channels.listChannels(viewer.workspaceId);
    const rules = await this.channels.listRules(viewer.workspaceId);
    return channels.map((c) => toView(c, rules.filter((r) => r.channelId === c.id)));
  }

  async createChannel(viewer: Viewer, input: CreateNotificationChannelInput): Promise<CreatedNotificationChannel> {
    checkFields(input.kind, input, true);
    await this.checkDestinations(input);
    const signingSecret = input.kind === NotificationChannelKind.WEBHOOK ? (input.signingSecret ?? generateSigningSecret()) : null;
    const channel = await this.channels.createChannel({
      workspaceId: viewer.workspaceId,
      kind: input.kind,
      name: input.name.trim(),
      recipients: input.recipients ?? [],
      url: input.webhookUrl ?? null,
      secret: input.slackWebhookUrl ?? signingSecret,
    });
    return { channel: toView(channel, []), signingSecret };
  }

  async updateChannel(viewer: Viewer, id: string, input: UpdateNotificationChannelInput): Promise<NotificationChannelView> {
    const channel = await this.findChannel(viewer, id);
    checkFields(channel.kind, input, false);
    await this.checkDestinations(input);
    if (input.name !== undefined) channel.name = input.name.trim();
    if (input.recipients !== undefined) channel.recipients = input.recipients;
    if (input.webhookUrl !== undefined) channel.url = input.webhookUrl;
    if (input.slackWebhookUrl !== undefined) channel.secret = input.slackWebhookUrl;
    if (input.signingSecret !== undefined) channel.secret = input.signingSecret;
    await this.channels.saveChannel(channel);
    return toView(channel, await this.channels.rulesOfChannel(id));
  }

  /** Its rules and its delivery log go with it. */
  async deleteChannel(viewer: Viewer, id: string): Promise<boolean> {
    const deleted = isUUID(id) && (await this.channels.deleteChannel(viewer.workspaceId, id));
    if (!deleted) throw new NotFoundError('Notification channel', id);
    return true;
  }

  async createRule(viewer: Viewer, input: NotificationRuleInput): Promise<NotificationRuleView> {
    await this.findChannel(viewer, input.channelId);
    const campaignId = input.campaignId ?? null;
    if (campaignId) {
      const exists = isUUID(campaignId) && (await this.campaigns.exists(viewer.workspaceId, campaignId));
      if (!exists) throw new NotFoundError('Campaign', campaignId);
    }
    const ruleId = await this.channels.insertRule({ workspaceId: viewer.workspaceId, channelId: input.channelId, eventType: input.eventType, campaignId });
    if (ruleId === undefined) {
      throw new NotificationError('NOTIFICATION_RULE_EXISTS', 'This channel already has a rule for that event type and campaign', {
        channelId: input.channelId,
        eventType: input.eventType,
        campaignId,
      });
    }
    return toRuleView(await this.channels.getRule(ruleId));
  }

  async deleteRule(viewer: Viewer, id: string): Promise<boolean> {
    const deleted = isUUID(id) && (await this.channels.deleteRule(viewer.workspaceId, id));
    if (!deleted) throw new NotFoundError('Notification rule', id);
    return true;
  }

  /**
   * Where a channel may send: Slack channels to Slack, and neither to this machine or its networks
   * (unless NOTIFY_ALLOW_PRIVATE_NETWORKS). Each delivery checks again on the connection itself.
   */
  private async checkDestinations(input: ChannelFields): Promise<void> {
    if (input.slackWebhookUrl != null) {
      const origins = this.settings.slackWebhookOrigins;
      if (!isSlackWebhookUrl(input.slackWebhookUrl, origins)) {
        throw new NotificationError('INVALID_NOTIFICATION_CHANNEL', `slackWebhookUrl must be a Slack incoming-webhook URL (${origins.map((o) => `${o}/…`).join(' or ')})`, {
          fields: ['slackWebhookUrl'],
        });
      }
      await this.checkAddress('slackWebhookUrl', input.slackWebhookUrl);
    }
    if (input.webhookUrl != null) await this.checkAddress('webhookUrl', input.webhookUrl);
  }

  private async checkAddress(field: 'slackWebhookUrl' | 'webhookUrl', url: string): Promise<void> {
    const reason = await this.guard.refusalOfUrl(url, this.settings.timeoutMs);
    if (!reason) return;
    const rule = this.settings.allowPrivateNetworks
      ? 'Link-local, metadata, unspecified and reserved addresses are never sent to.'
      : 'Notifications are sent to public addresses only.';
    throw new NotificationError('FORBIDDEN_DESTINATION', `${field} is refused: ${reason}. ${rule}`, { fields: [field], reason });
  }

  private async findChannel(viewer: Viewer, id: string): Promise<NotificationChannel> {
    const channel = isUUID(id) ? await this.channels.findChannel(viewer.workspaceId, id) : null;
    if (!channel) throw new NotFoundError('Notification channel', id);
    return channel;
  }
}

function checkFields(kind: NotificationChannelKind, input: ChannelFields, creating: boolean): void {
  const allowed = FIELDS_OF[kind];
  const foreign = (Object.keys(FIELDS_OF) as NotificationChannelKind[])
    .flatMap((k) => FIELDS_OF[k])
    .filter((field) => !allowed.includes(field) && input[field] !== undefined && input[field] !== null);
  if (foreign.length > 0) {
    throw new NotificationError('INVALID_NOTIFICATION_CHANNEL', `A ${kind} channel does not take ${foreign.join(', ')}`, { fields: foreign });
  }
  const required = { EMAIL: 'recipients', SLACK: 'slackWebhookUrl', WEBHOOK: 'webhookUrl' } as const satisfies Record<NotificationChannelKind, keyof ChannelFields>;
  if (creating && (input[required[kind]] === undefined || input[required[kind]] === null)) {
    throw new NotificationError('INVALID_NOTIFICATION_CHANNEL', `A ${kind} channel needs ${required[kind]}`, { fields: [required[kind]] });
  }
}

function toView(channel: NotificationChannel, rules: NotificationRule[]): NotificationChannelView {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    recipients: channel.recipients,
    url: displayUrl(channel.url),
    secretHint: channel.kind === NotificationChannelKind.SLACK ? maskUrl(channel.secret) : maskSecret(channel.secret),
    rules: rules.map(toRuleView),
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

const toRuleView = (r: NotificationRule): NotificationRuleView => ({
  id: r.id,
  channelId: r.channelId,
  eventType: r.eventType,
  campaignId: r.campaignId,
  createdAt: r.createdAt,
});
