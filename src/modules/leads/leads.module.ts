import { accountsModule } from '../accounts';
import { campaignsModule } from '../campaigns';
import { defineModule } from '../module';
import { CampaignLeadEffects } from './campaign-lead-effects';
import { DoNotContact } from './do-not-contact.entity';
import { DoNotContactRepository } from './do-not-contact.repository';
import { DoNotContactResolver } from './do-not-contact.resolver';
import { DoNotContactService } from './do-not-contact.service';
import { LeadEvent } from './lead-event.entity';
import { LeadEventRepository } from './lead-event.repository';
import { LeadImportService } from './lead-import.service';
import { DEFAULT_OPT_OUT_PHRASES, LeadProgressService } from './lead-progress.service';
import { LeadReplyRepository } from './lead-reply.repository';
import { Lead } from './lead.entity';
import { LeadRepository } from './lead.repository';
import { LeadResolver } from './lead.resolver';
import { LeadService } from './lead.service';

/** Leads, their import, do-not-contact, events and timeline, and their progress (acceptances, replies). */
export const leadsModule = defineModule({
  name: 'leads',
  entities: [Lead, DoNotContact, LeadEvent],
  resolvers: [LeadResolver, DoNotContactResolver],
  create(ctx) {
    const { dataSource, clock, config, signals } = ctx;
    const { manager } = dataSource;
    const { campaigns, repository: campaignRows, bindLeads } = ctx.use(campaignsModule);
    const leadsDue = () => void signals.leadsDue.emit();
    const leadRows = new LeadRepository(manager);
    const events = new LeadEventRepository(manager);
    const doNotContactRows = new DoNotContactRepository(manager);
    const replies = new LeadReplyRepository(manager);
    // Campaign changes move leads (senders, schedules, exclusions): campaigns calls this, without importing leads.
    bindLeads(new CampaignLeadEffects(leadRows));
    const leads = new LeadService(dataSource, leadRows, events, clock);
    const imports = new LeadImportService(dataSource, leadRows, events, doNotContactRows, campaigns, clock, leadsDue);
    const doNotContact = new DoNotContactService(dataSource, doNotContactRows, leadRows, clock);
    return {
      progress: new LeadProgressService(dataSource, clock, config.sync.optOutPhrases ?? DEFAULT_OPT_OUT_PHRASES, {
        leads: leadRows,
        replies,
        events,
        doNotContact: doNotContactRows,
        campaigns: campaignRows,
      }),
      resolvers: [new LeadResolver(leads, imports, campaigns, ctx.use(accountsModule).accounts), new DoNotContactResolver(doNotContact)],
    };
  },
});
