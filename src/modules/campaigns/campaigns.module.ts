import { defineModule } from '../module';
import { lateCampaignLeads } from './campaign-leads';
import { CampaignSender } from './campaign-sender.entity';
import { Campaign } from './campaign.entity';
import { CampaignRepository } from './campaign.repository';
import { CampaignResolver } from './campaign.resolver';
import { CampaignService } from './campaign.service';
import { SequenceStep } from './sequence-step.entity';

/** Campaigns, their status lifecycle, senders and versioned sequences. */
export const campaignsModule = defineModule({
  name: 'campaigns',
  entities: [Campaign, CampaignSender, SequenceStep],
  resolvers: [CampaignResolver],
  create({ dataSource, clock, signals }) {
    // What campaign changes do to leads: the leads module, built next, binds it (see campaign-leads.ts).
    const leads = lateCampaignLeads();
    const repository = new CampaignRepository(dataSource.manager);
    const campaigns = new CampaignService(dataSource, repository, leads.leads, clock, () => void signals.leadsDue.emit());
    return { campaigns, repository, bindLeads: leads.bind, resolvers: [new CampaignResolver(campaigns)] };
  },
});
