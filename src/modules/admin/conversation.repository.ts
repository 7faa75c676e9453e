import type { EntityManager } from 'typeorm';
import { Campaign } from '../campaigns';
import { Lead } from '../leads';

/** conversationIds' reads: a campaign's leads that have a Unipile chat (on the data source). */
export class ConversationRepository {
  constructor(private readonly db: EntityManager) {}

  campaignExists(workspaceId: string, campaignId: string): Promise<boolean> {
    return this.db.exists(Campaign, { where: { id: campaignId, workspaceId } });
  }

  /** The campaign's leads with a chat id, oldest first. */
  leadsWithChat(workspaceId: string, campaignId: string): Promise<Lead[]> {
    return this.db
      .createQueryBuilder(Lead, 'l')
      .where('l.campaign_id = :campaignId AND l.workspace_id = :workspaceId AND l.chat_id IS NOT NULL', { campaignId, workspaceId })
      .orderBy('l.created_at', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .getMany();
  }
}
