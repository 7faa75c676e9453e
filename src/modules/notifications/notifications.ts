import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { JobDefinition } from '../../core/jobs/register-jobs';
import type { Logger } from '../../core/logger';
import { DestinationGuard } from './channels/destination-guard';
import { EmailSender } from './channels/email.sender';
import { SlackSender } from './channels/slack.sender';
import { WebhookSender } from './channels/webhook.sender';
import { DISPATCH_NOTIFICATIONS_JOB, agendaDeliveryQueue, notificationJobs } from './jobs/notification.jobs';
import { NotificationDeliverer } from './notification-deliverer';
import { NotificationDispatchRepository } from './notification-dispatch.repository';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationLogService } from './notification-log.service';
import { NotificationResolver } from './notification.resolver';
import { NotificationService } from './notification.service';
import type { NotifierSettings } from './notifier-settings';
import { jobWaker } from '../../core/jobs/job-waker';

export type Notifications = {
  settings: NotifierSettings;
  dispatcher: NotificationDispatcher;
  deliverer: NotificationDeliverer;
  resolver: NotificationResolver;
  jobs: JobDefinition[];
  /** Asks for a dispatch soon (e.g. right after a reply is recorded) instead of at the next interval. */
  wake(): void;
  /** Makes the dispatcher recurring; call on worker processes. */
  schedule(): Promise<void>;
};

/** Builds operator notifications; Agenda runs the dispatcher and the deliveries. */
export function createNotifications(deps: { dataSource: DataSource; agenda: Agenda; clock: Clock; settings: NotifierSettings; log: Logger }): Notifications {
  const { dataSource, agenda, clock, settings } = deps;
  const log = deps.log.child({ module: 'notifications' });
  const queue = agendaDeliveryQueue(agenda);
  // Slack and webhook URLs come from workspace admins: every request they cause goes through the guard.
  // SMTP_URL is the operator's own setting, so email is not guarded.
  const guard = new DestinationGuard({ allowPrivateNetworks: settings.allowPrivateNetworks, lookup: settings.lookup });
  const senders = {
    email: settings.smtpUrl ? new EmailSender({ smtpUrl: settings.smtpUrl, from: settings.mailFrom, timeoutMs: settings.timeoutMs }) : undefined,
    slack: new SlackSender(guard, settings.slackWebhookOrigins, settings.timeoutMs),
    webhook: new WebhookSender(clock, guard, settings.timeoutMs),
  };
  const dispatcher = new NotificationDispatcher(dataSource, new NotificationDispatchRepository(), clock, settings, queue, log);
  const deliverer = new NotificationDeliverer(dataSource, clock, settings, senders, log);
  const resolver = new NotificationResolver(new NotificationService(dataSource, settings, guard), new NotificationLogService(dataSource, clock, settings, queue));
  return {
    settings,
    dispatcher,
    deliverer,
    resolver,
    jobs: notificationJobs(dispatcher, deliverer, settings),
    wake: jobWaker(agenda, DISPATCH_NOTIFICATIONS_JOB, log),
    schedule: async () => {
      await agenda.every(settings.dispatchIntervalMs, DISPATCH_NOTIFICATIONS_JOB);
    },
  };
}
