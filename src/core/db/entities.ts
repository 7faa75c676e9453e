import { LinkedInAccount } from '../../modules/accounts/linkedin-account.entity';
import { User } from '../../modules/auth/user.entity';
import { Workspace } from '../../modules/auth/workspace.entity';
import { CampaignSender } from '../../modules/campaigns/campaign-sender.entity';
import { Campaign } from '../../modules/campaigns/campaign.entity';
import { SequenceStep } from '../../modules/campaigns/sequence-step.entity';
import { DoNotContact } from '../../modules/leads/do-not-contact.entity';
import { LeadEvent } from '../../modules/leads/lead-event.entity';
import { Lead } from '../../modules/leads/lead.entity';
import { RateLedger } from '../../modules/outreach/rate-ledger.entity';
import { SchedulerState } from '../../modules/outreach/scheduler-state.entity';
import { StepExecution } from '../../modules/outreach/step-execution.entity';

// Every TypeORM entity, listed explicitly so the app, Jest and the CLI load the same set.
export const ENTITIES = [
  Workspace,
  User,
  LinkedInAccount,
  Campaign,
  CampaignSender,
  SequenceStep,
  Lead,
  DoNotContact,
  LeadEvent,
  StepExecution,
  RateLedger,
  SchedulerState,
];
