import type { Agenda, Job } from 'agenda';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import { DeliveryAttemptFailed } from '../notification.errors';
import type { NotificationDeliverer } from '../notification-deliverer';
import type { DeliveryQueue, NotificationDispatcher } from '../notification-dispatcher';
import { NotificationDeliveryStatus } from '../notification-kinds';
import { deliveryBackoff, type NotifierSettings } from '../notifier-settings';

export const DISPATCH_NOTIFICATIONS_JOB = 'notifications.dispatch';
export const DELIVER_NOTIFICATION_JOB = 'notifications.deliver';

export type DeliverNotificationJobData = { deliveryId: string };

/**
 * The recurring dispatcher (one at a time), and one job per delivery. A failed attempt throws so
 * that Agenda retries the job with exponential backoff; the last one does not (the delivery is FAILED).
 */
export function notificationJobs(dispatcher: NotificationDispatcher, deliverer: NotificationDeliverer, settings: NotifierSettings): JobDefinition[] {
  return [
    { name: DISPATCH_NOTIFICATIONS_JOB, handler: () => dispatcher.dispatch(), options: { concurrency: 1 } },
    {
      name: DELIVER_NOTIFICATION_JOB,
      workspaceRow: { key: 'deliveryId', table: 'notification_delivery' },
      handler: async (job: Job<DeliverNotificationJobData>) => {
        const result = await deliverer.deliver(job.attrs.data.deliveryId);
        if (result.status === NotificationDeliveryStatus.RETRYING) {
          throw new DeliveryAttemptFailed(job.attrs.data.deliveryId, result.attempt, result.outcome?.error ?? null);
        }
        return result;
      },
      options: { concurrency: 10, backoff: deliveryBackoff(settings) },
    },
  ];
}

export const agendaDeliveryQueue = (agenda: Agenda): DeliveryQueue => ({
  async enqueue(deliveryId) {
    await agenda.now(DELIVER_NOTIFICATION_JOB, { deliveryId } satisfies DeliverNotificationJobData);
  },
});
