import type { DataSource } from 'typeorm';
import { CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { CampaignRepository } from '../../src/modules/campaigns/campaign.repository';

/**
 * The campaign's status alone set to ACTIVE, through its repository. Not CampaignService.setStatus:
 * that also pins and schedules the campaign's leads and wakes the engine, and these tests move
 * their leads themselves, with no engine acting on them behind their back.
 */
export async function markCampaignActive(ds: DataSource, workspaceId: string, campaignId: string): Promise<void> {
  const campaigns = new CampaignRepository(ds.manager);
  const campaign = await campaigns.find(workspaceId, campaignId);
  if (!campaign) throw new Error(`no campaign ${campaignId} in workspace ${workspaceId}`);
  campaign.status = CampaignStatus.ACTIVE;
  await campaigns.save(campaign);
}
