import type { EntityManager } from 'typeorm';
import { Campaign } from '../campaigns';

/** What notification rules check of campaigns (campaign, a table of the campaigns feature). */
export class NotificationCampaignsRepository {
  constructor(private readonly db: EntityManager) {}

  exists(workspaceId: string, campaignId: string): Promise<boolean> {
    return this.db.getRepository(Campaign).existsBy({ id: campaignId, workspaceId });
  }
}
