import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { JobDefinition } from '../../core/jobs/register-jobs';
import type { Logger } from '../../core/logger';
import type { AnalyticsService } from '../analytics/analytics.service';
import type { LeadProgressService } from '../leads/lead-progress.service';
import type { UnipileClient } from '../unipile/unipile.client';
import { DRAIN_EVERY, DRAIN_WEBHOOK_EVENTS_JOB, fastPathWebhookQueue, webhookJobs } from './jobs/webhooks.jobs';
import type { ReplyListener } from './reply-listener';
import type { WebhookTarget } from './webhook-expectations';
import { WebhookIngestService } from './webhook-ingest.service';
import { WebhookManagementService } from './webhook-management.service';
import { WebhookProcessorService } from './webhook-processor.service';
import { WebhookStatusService } from './webhook-status.service';
import { WebhookResolver } from './webhook.resolver';

export type WebhooksModule = {
  ingest: WebhookIngestService;
  processor: WebhookProcessorService;
  management: WebhookManagementService;
  resolver: WebhookResolver;
  jobs: JobDefinition[];
  /** Recurring jobs, for the worker. */
  schedule(): Promise<void>;
};

export function createWebhooksModule(deps: {
  dataSource: DataSource;
  agenda: Agenda;
  unipile: UnipileClient;
  leadProgress: LeadProgressService;
  analytics: AnalyticsService;
  clock: Clock;
  log: Logger;
  target: () => WebhookTarget;
  onReply?: ReplyListener;
  /** Wakes the engine when leads were connected (the scan then looks at them at once). */
  onLeadsDue?: () => void;
}): WebhooksModule {
  const processor = new WebhookProcessorService(deps.dataSource, deps.leadProgress, deps.clock, deps.log, deps.onReply, deps.onLeadsDue);
  const queue = fastPathWebhookQueue(deps.agenda, processor, deps.log);
  const ingest = new WebhookIngestService(deps.dataSource, queue, deps.clock, deps.log);
  const management = new WebhookManagementService(deps.unipile, deps.target, deps.log);
  return {
    ingest,
    processor,
    management,
    resolver: new WebhookResolver(management, new WebhookStatusService(deps.dataSource, deps.analytics, deps.clock, queue)),
    jobs: webhookJobs(processor, ingest),
    async schedule() {
      await deps.agenda.every(DRAIN_EVERY, DRAIN_WEBHOOK_EVENTS_JOB);
    },
  };
}
