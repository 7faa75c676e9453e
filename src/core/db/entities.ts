import { LinkedInAccount } from '../../modules/accounts/linkedin-account.entity';
import { User } from '../../modules/auth/user.entity';
import { Workspace } from '../../modules/auth/workspace.entity';
import { CampaignSender } from '../../modules/campaigns/campaign-sender.entity';
import { Campaign } from '../../modules/campaigns/campaign.entity';
import { SequenceStep } from '../../modules/campaigns/sequence-step.entity';
import { DoNotContact } from '../../modules/leads/do-not-contact.entity';
import { LeadEvent } from '../../modules/leads/lead-event.entity';
import { Lead } from '../../modules/leads/lead.entity';
import { NotificationAttempt } from '../../modules/notifications/notification-attempt.entity';
import { NotificationChannel } from '../../modules/notifications/notification-channel.entity';
import { NotificationDelivery } from '../../modules/notifications/notification-delivery.entity';
import { NotificationRule } from '../../modules/notifications/notification-rule.entity';
import { NotificationSettings } from '../../modules/notifications/notification-settings.entity';
import { RateLedger } from '../../modules/outreach/rate-ledger.entity';
import { SchedulerState } from '../../modules/outreach/scheduler-state.entity';
import { StepExecution } from '../../modules/outreach/step-execution.entity';
import { ReconcileState } from '../../modules/sync/reconcile-state.entity';
import { SyncRun } from '../../modules/sync/sync-run.entity';
import { WebhookEvent } from '../../modules/webhooks/webhook-event.entity';
import { AuditLogEntry } from '../../modules/admin/audit-log.entity';

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
  WebhookEvent,
  SyncRun,
  ReconcileState,
  NotificationSettings,
  NotificationChannel,
  NotificationRule,
  NotificationDelivery,
  NotificationAttempt,
  AuditLogEntry,
];
