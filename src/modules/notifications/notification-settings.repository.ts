import type { EntityManager } from 'typeorm';
import { NotificationSettings } from './notification-settings.entity';

export type NotificationSwitches = Pick<NotificationSettings, 'emailEnabled' | 'slackEnabled' | 'webhooksEnabled'>;

/** A workspace's on/off switches per channel kind (notification_settings). */
export class NotificationSettingsRepository {
  constructor(private readonly db: EntityManager) {}

  /** Null when the workspace never set them (everything on). */
  find(workspaceId: string): Promise<NotificationSettings | null> {
    return this.db.getRepository(NotificationSettings).findOneBy({ workspaceId });
  }

  async save(workspaceId: string, switches: NotificationSwitches): Promise<void> {
    const { emailEnabled, slackEnabled, webhooksEnabled } = switches;
    await this.db.getRepository(NotificationSettings).upsert({ workspaceId, emailEnabled, slackEnabled, webhooksEnabled }, ['workspaceId']);
  }
}
