import { accountsModule } from '../accounts/accounts.module';
import { campaignsModule } from '../campaigns/campaigns.module';
import { defineModule } from '../module';
import { DoNotContact } from './do-not-contact.entity';
import { DoNotContactResolver } from './do-not-contact.resolver';
import { DoNotContactService } from './do-not-contact.service';
import { LeadEvent } from './lead-event.entity';
import { LeadImportService } from './lead-import.service';
import { LeadProgressService } from './lead-progress.service';
import { Lead } from './lead.entity';
import { LeadResolver } from './lead.resolver';
import { LeadService } from './lead.service';

/** Leads, their import, do-not-contact, events and timeline, and their progress (acceptances, replies). */
export const leadsModule = defineModule({
  name: 'leads',
  entities: [Lead, DoNotContact, LeadEvent],
  resolvers: [LeadResolver, DoNotContactResolver],
  create(ctx) {
    const { dataSource, clock, config, signals } = ctx;
    const { campaigns } = ctx.use(campaignsModule);
    const leadsDue = () => void signals.leadsDue.emit();
    const leads = new LeadService(dataSource, clock);
    const imports = new LeadImportService(dataSource, campaigns, clock, leadsDue);
    const doNotContact = new DoNotContactService(dataSource, clock);
    return {
      progress: new LeadProgressService(dataSource, clock, config.sync.optOutPhrases),
      resolvers: [new LeadResolver(leads, imports, campaigns, ctx.use(accountsModule).accounts), new DoNotContactResolver(doNotContact)],
    };
  },
});
