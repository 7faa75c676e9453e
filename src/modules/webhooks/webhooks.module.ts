import { analyticsModule } from '../analytics';
import { leadsModule } from '../leads';
import { defineModule } from '../module';
import { unipileModule } from '../unipile';
import { DRAIN_EVERY, DRAIN_WEBHOOK_EVENTS_JOB, fastPathWebhookQueue, webhookJobs } from './jobs/webhooks.jobs';
import { WebhookAccountsRepository } from './webhook-accounts.repository';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookEventRepository } from './webhook-event.repository';
import { WebhookIngestService } from './webhook-ingest.service';
import { WebhookManagementService } from './webhook-management.service';
import { WebhookProcessorService } from './webhook-processor.service';
import { WebhookStatusRepository } from './webhook-status.repository';
import { WebhookStatusService } from './webhook-status.service';
import { WebhookResolver } from './webhook.resolver';
import { registerWebhookRoutes } from './webhook.routes';

/** Unipile's webhooks: REST ingest, processing (replies, acceptances, account status), registration. */
export const webhooksModule = defineModule({
  name: 'webhooks',
  entities: [WebhookEvent],
  resolvers: [WebhookResolver],
  create(ctx) {
    const { dataSource, clock, log, config, jobs, signals } = ctx;
    const unipile = ctx.use(unipileModule);
    const { manager } = dataSource;
    const events = new WebhookEventRepository(manager);
    const processor = new WebhookProcessorService(
      dataSource,
      events,
      new WebhookAccountsRepository(manager),
      ctx.use(leadsModule).progress,
      clock,
      log,
      (reply) => signals.replyDetected.emit(reply),
      () => void signals.leadsDue.emit(),
    );
    // Stopped after HTTP (no new deliveries) and before the job queue and the database: events
    // being processed at once after their delivery finish.
    ctx.onStop(() => processor.idle());
    const queue = fastPathWebhookQueue(jobs, processor, log);
    const ingest = new WebhookIngestService(dataSource, events, queue, clock, log);
    // Read when registering: the listening port is known by then.
    const target = () => ({ publicUrl: config.webhooks.publicUrl ?? ctx.url() ?? `http://${config.http.host}:${config.http.port}`, secret: config.webhooks.secret });
    const management = new WebhookManagementService(unipile.client, target, log);
    const status = new WebhookStatusService(new WebhookStatusRepository(manager), ctx.use(analyticsModule).analytics, clock, queue);
    return {
      ingest,
      processor,
      management,
      resolvers: [new WebhookResolver(management, status)],
      jobs: webhookJobs(processor, ingest),
      async startWorker() {
        await jobs.every(DRAIN_EVERY, DRAIN_WEBHOOK_EVENTS_JOB);
      },
      routes: (http) => registerWebhookRoutes(http, { ingest, secret: config.webhooks.secret, logLevel: config.log.level }),
      async listening() {
        // Newcomer mode: the built-in sandbox calls this process back, so replies arrive live.
        if (unipile.sandbox && ctx.role === 'all' && config.env === 'development') {
          await management.ensure().catch((error: unknown) => log.warn({ err: error }, 'could not register the sandbox webhooks'));
        }
      },
    };
  },
});
