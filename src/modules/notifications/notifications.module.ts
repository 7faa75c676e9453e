import { systemClock } from '../../core/clock';
import { defineModule } from '../module';
import { DestinationGuard } from './channels/destination-guard';
import { EmailSender } from './channels/email.sender';
import { SlackSender } from './channels/slack.sender';
import { WebhookSender } from './channels/webhook.sender';
import { DISPATCH_NOTIFICATIONS_JOB, agendaDeliveryQueue, notificationJobs } from './jobs/notification.jobs';
import { NotificationCampaignsRepository } from './notification-campaigns.repository';
import { NotificationChannelRepository } from './notification-channel.repository';
import { NotificationDeliverer } from './notification-deliverer';
import { NotificationDeliveryRepository } from './notification-delivery.repository';
import { NotificationDispatchRepository } from './notification-dispatch.repository';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationLogService } from './notification-log.service';
import { NotificationResolver } from './notification.resolver';
import { NotificationService } from './notification.service';
import { NotificationSettingsRepository } from './notification-settings.repository';
import { DEFAULT_MAX_RETRY_DELAY_MS, type NotifierSettings } from './notifier-settings';
import { NotificationAttempt } from './notification-attempt.entity';
import { NotificationChannel } from './notification-channel.entity';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationRule } from './notification-rule.entity';
import { NotificationSettings } from './notification-settings.entity';
import { jobWaker } from '../../core/jobs/job-waker';

/**
 * Operator notifications (email, Slack, signed webhooks): a dispatcher over live events creates
 * deliveries, and Agenda jobs send them.
 */
export const notificationsModule = defineModule({
  name: 'notifications',
  entities: [NotificationSettings, NotificationChannel, NotificationRule, NotificationDelivery, NotificationAttempt],
  resolvers: [NotificationResolver],
  create({ dataSource, jobs: agenda, config, options, signals, log: root }) {
    const log = root.child({ module: 'notifications' });
    const settings: NotifierSettings = {
      ...config.notifications,
      maxRetryDelayMs: DEFAULT_MAX_RETRY_DELAY_MS,
      publicUrl: config.webhooks.publicUrl,
      ...options.notifications,
    };
    // Deliveries, retries and signature timestamps happen in real time, whatever clock the engine runs on.
    const clock = systemClock;
    const queue = agendaDeliveryQueue(agenda);
    // Slack and webhook URLs come from workspace admins: every request they cause goes through the guard.
    // SMTP_URL is the operator's own setting, so email is not guarded.
    const guard = new DestinationGuard({ allowPrivateNetworks: settings.allowPrivateNetworks, lookup: settings.lookup });
    const senders = {
      email: settings.smtpUrl ? new EmailSender({ smtpUrl: settings.smtpUrl, from: settings.mailFrom, timeoutMs: settings.timeoutMs }) : undefined,
      slack: new SlackSender(guard, settings.slackWebhookOrigins, settings.timeoutMs),
      webhook: new WebhookSender(clock, guard, settings.timeoutMs),
    };
    const { manager } = dataSource;
    const switches = new NotificationSettingsRepository(manager);
    const channels = new NotificationChannelRepository(manager);
    const deliveries = new NotificationDeliveryRepository(manager);
    const dispatcher = new NotificationDispatcher(dataSource, new NotificationDispatchRepository(manager), clock, settings, queue, log);
    const deliverer = new NotificationDeliverer(dataSource, deliveries, channels, switches, clock, settings, senders, log);
    // A new reply wakes the dispatcher at once (instead of at its next interval).
    const wake = jobWaker(agenda, DISPATCH_NOTIFICATIONS_JOB, log);
    signals.replyDetected.on(() => wake());
    return {
      settings,
      dispatcher,
      deliverer,
      resolvers: [
        new NotificationResolver(
          new NotificationService(switches, channels, new NotificationCampaignsRepository(manager), settings, guard),
          new NotificationLogService(deliveries, clock, settings, queue),
        ),
      ],
      jobs: notificationJobs(dispatcher, deliverer, settings),
      async startWorker() {
        await agenda.every(settings.dispatchIntervalMs, DISPATCH_NOTIFICATIONS_JOB);
      },
    };
  },
});
