import type { Agenda } from 'agenda';
import { jobWaker } from '../../../core/jobs/job-waker';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import type { Logger } from '../../../core/logger';
import type { WebhookIngestService, WebhookQueue } from '../webhook-ingest.service';
import { MAX_PROCESSING_ATTEMPTS, type WebhookProcessorService } from '../webhook-processor.service';

/** Processes the stored events nobody has processed yet: the durable path behind the fast path. */
export const DRAIN_WEBHOOK_EVENTS_JOB = 'webhooks.drain';

/** The drain also runs this often, so an event whose fast path died with its process waits no longer. */
export const DRAIN_EVERY = '15 seconds';
/** Events processed at once by a drain, and taken per query. */
const DRAIN_CONCURRENCY = 4;
const DRAIN_BATCH = 100;
/** Events processed at once by the receiving process; beyond that they are left to the drain. */
const FAST_PATH_LIMIT = 4;

export function webhookJobs(processor: WebhookProcessorService, ingest: WebhookIngestService): JobDefinition[] {
  return [{ name: DRAIN_WEBHOOK_EVENTS_JOB, handler: () => drainWebhookEvents(processor, ingest), options: { concurrency: 1 } }];
}

/**
 * Processes unprocessed events, oldest first, until none is left that may be tried now. Each event
 * is tried once per run (a failure waits for a later run), so a run always ends.
 */
export async function drainWebhookEvents(processor: WebhookProcessorService, ingest: WebhookIngestService): Promise<number> {
  const tried = new Set<string>();
  for (;;) {
    const ids = (await ingest.unprocessed(MAX_PROCESSING_ATTEMPTS, DRAIN_BATCH + tried.size)).filter((id) => !tried.has(id)).slice(0, DRAIN_BATCH);
    if (ids.length === 0) return tried.size;
    for (const id of ids) tried.add(id);
    for (let i = 0; i < ids.length; i += DRAIN_CONCURRENCY) {
      // A failure is recorded and logged by the processor; the run goes on with the next event.
      await Promise.all(ids.slice(i, i + DRAIN_CONCURRENCY).map((id) => processor.process(id).catch(() => undefined)));
    }
  }
}

/**
 * The receiving process handles a stored event at once (replies reach subscribers without a
 * job-queue hop) while it has fewer than FAST_PATH_LIMIT in hand. Under a burst the rest stay in
 * webhook_event, unprocessed, and the drain job (any worker) takes them: the stored row is the
 * durable queue, so answering a delivery costs one INSERT, and a flood slows processing, not
 * ingest. Processing is idempotent (the event row is locked and marked processed in the same
 * transaction), so the fast path and a drain meeting on one event do no harm.
 */
export function fastPathWebhookQueue(agenda: Agenda, processor: WebhookProcessorService, log: Logger): WebhookQueue {
  let inHand = 0;
  const wakeDrain = jobWaker(agenda, DRAIN_WEBHOOK_EVENTS_JOB, log);
  return {
    async enqueue(eventId) {
      if (inHand >= FAST_PATH_LIMIT) return wakeDrain();
      inHand += 1;
      // Not awaited: the delivery is answered while its processing runs.
      processor
        .process(eventId)
        // The processor recorded and logged the failure; the drain retries it.
        .catch(() => wakeDrain())
        .finally(() => (inHand -= 1));
    },
  };
}
