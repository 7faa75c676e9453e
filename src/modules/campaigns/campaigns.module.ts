import { defineModule } from '../module';
import { CampaignSender } from './campaign-sender.entity';
import { Campaign } from './campaign.entity';
import { CampaignResolver } from './campaign.resolver';
import { CampaignService } from './campaign.service';
import { SequenceStep } from './sequence-step.entity';

/** Campaigns, their status lifecycle, senders and versioned sequences. */
export const campaignsModule = defineModule({
  name: 'campaigns',
  entities: [Campaign, CampaignSender, SequenceStep],
  resolvers: [CampaignResolver],
  create({ dataSource, clock, signals }) {
    const campaigns = new CampaignService(dataSource, clock, () => void signals.leadsDue.emit());
    return { campaigns, resolvers: [new CampaignResolver(campaigns)] };
  },
});
