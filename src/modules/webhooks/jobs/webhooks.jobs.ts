import type { Agenda, Job } from 'agenda';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import type { Logger } from '../../../core/logger';
import type { WebhookIngestService, WebhookQueue } from '../webhook-ingest.service';
import type { WebhookProcessorService } from '../webhook-processor.service';

export const PROCESS_WEBHOOK_EVENT_JOB = 'webhooks.process-event';
export const REQUEUE_WEBHOOK_EVENTS_JOB = 'webhooks.requeue-unprocessed';

export type ProcessWebhookEventJobData = { eventId: string };

/** Processing gets another chance this long after arrival, up to this many attempts. */
const STALE_AFTER_MS = 60_000;
const MAX_ATTEMPTS = 5;

export function webhookJobs(processor: WebhookProcessorService, ingest: WebhookIngestService): JobDefinition[] {
  return [
    {
      name: PROCESS_WEBHOOK_EVENT_JOB,
      handler: (job: Job<ProcessWebhookEventJobData>) => processor.process(job.attrs.data.eventId),
      options: { concurrency: 10 },
    },
    { name: REQUEUE_WEBHOOK_EVENTS_JOB, handler: () => ingest.requeueStale(STALE_AFTER_MS, MAX_ATTEMPTS), options: { concurrency: 1 } },
  ];
}

/** Stored events are processed by an Agenda job (id-only payload). */
export const agendaWebhookQueue = (agenda: Agenda): WebhookQueue => ({
  async enqueue(eventId) {
    await agenda.now(PROCESS_WEBHOOK_EVENT_JOB, { eventId } satisfies ProcessWebhookEventJobData);
  },
});

/**
 * Processes a stored event at once in the receiving process (replies reach subscribers without a
 * job-queue hop), after queueing the job that stays the durable path: if this process dies first,
 * the job does the work; if both run, processing is idempotent (markReplied and markConnected
 * record a fact once), and the job finds the event already processed.
 */
export const fastPathWebhookQueue = (durable: WebhookQueue, processor: WebhookProcessorService, log: Logger): WebhookQueue => ({
  async enqueue(eventId) {
    await durable.enqueue(eventId);
    setImmediate(() => {
      processor.process(eventId).catch((error: unknown) => log.warn({ err: error, eventId }, 'immediate webhook processing failed; the job will retry'));
    });
  },
});
