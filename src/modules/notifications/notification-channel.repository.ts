import type { EntityManager } from 'typeorm';
import { NotificationChannel } from './notification-channel.entity';
import type { NotificationEventType } from './notification-kinds';
import { NotificationRule } from './notification-rule.entity';

export type NewNotificationChannel = Pick<NotificationChannel, 'workspaceId' | 'kind' | 'name' | 'recipients' | 'url' | 'secret'>;
export type NewNotificationRule = { workspaceId: string; channelId: string; eventType: NotificationEventType; campaignId: string | null };

/** Channels and the routing rules on them (notification_channel, notification_rule). */
export class NotificationChannelRepository {
  constructor(private readonly db: EntityManager) {}

  /** Oldest first. */
  listChannels(workspaceId: string): Promise<NotificationChannel[]> {
    return this.db.getRepository(NotificationChannel).find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findChannel(workspaceId: string, id: string): Promise<NotificationChannel | null> {
    return this.db.getRepository(NotificationChannel).findOneBy({ id, workspaceId });
  }

  /** By id alone (a delivery's channel: the delivery carries the workspace). */
  findChannelById(id: string): Promise<NotificationChannel | null> {
    return this.db.getRepository(NotificationChannel).findOneBy({ id });
  }

  createChannel(channel: NewNotificationChannel): Promise<NotificationChannel> {
    const repo = this.db.getRepository(NotificationChannel);
    return repo.save(repo.create(channel));
  }

  async saveChannel(channel: NotificationChannel): Promise<void> {
    await this.db.getRepository(NotificationChannel).save(channel);
  }

  /** False when there was no such channel in the workspace. Its rules and deliveries go with it (cascade). */
  async deleteChannel(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db.getRepository(NotificationChannel).delete({ id, workspaceId });
    return Boolean(result.affected);
  }

  /** Every rule of the workspace, oldest first. */
  listRules(workspaceId: string): Promise<NotificationRule[]> {
    return this.db.getRepository(NotificationRule).find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The rules of one channel, oldest first. */
  rulesOfChannel(channelId: string): Promise<NotificationRule[]> {
    return this.db.getRepository(NotificationRule).find({ where: { channelId }, order: { createdAt: 'ASC' } });
  }

  /** The new rule's id; undefined when the channel has that rule already (event type and campaign). */
  async insertRule(rule: NewNotificationRule): Promise<string | undefined> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `INSERT INTO notification_rule (workspace_id, channel_id, event_type, campaign_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [rule.workspaceId, rule.channelId, rule.eventType, rule.campaignId],
    );
    return rows[0]?.id;
  }

  /** A rule that exists (just inserted). */
  getRule(id: string): Promise<NotificationRule> {
    return this.db.getRepository(NotificationRule).findOneByOrFail({ id });
  }

  /** False when there was no such rule in the workspace. */
  async deleteRule(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db.getRepository(NotificationRule).delete({ id, workspaceId });
    return Boolean(result.affected);
  }
}
