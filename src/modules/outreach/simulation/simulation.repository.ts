import { type EntityManager, In } from 'typeorm';
import type { LinkedInAccount } from '../../accounts';
import { CampaignSender, SequenceStep } from '../../campaigns';
import { ACTIVE_LEAD_STATUSES, Lead } from '../../leads';

/** What a dry run copies of a campaign from the real database (campaign, lead and account tables). */
export class SimulationRepository {
  constructor(private readonly db: EntityManager) {}

  /** The campaign's steps of one sequence version. */
  steps(campaignId: string, version: number): Promise<SequenceStep[]> {
    return this.db.getRepository(SequenceStep).find({ where: { campaignId, version } });
  }

  /** The campaign's sender accounts. */
  async senderAccounts(campaignId: string): Promise<LinkedInAccount[]> {
    const senders = await this.db.getRepository(CampaignSender).find({ where: { campaignId }, relations: { account: true } });
    return senders.map((s) => s.account!);
  }

  /** The campaign's first `limit` active leads, oldest first. */
  activeLeads(campaignId: string, limit: number): Promise<Lead[]> {
    return this.db.getRepository(Lead).find({
      where: { campaignId, status: In([...ACTIVE_LEAD_STATUSES]) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }
}
