import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { JobDefinition } from '../../core/jobs/register-jobs';
import type { Logger } from '../../core/logger';
import type { AnalyticsRepository } from '../analytics/analytics.repository';
import type { LeadProgressService } from '../leads/lead-progress.service';
import type { UnipileClient } from '../unipile/unipile.client';
import type { ReplyListener } from '../webhooks/reply-listener';
import { conversationBackfillRunner } from './conversation-backfill';
import { historicalConnectionsRunner } from './historical-sync';
import { NIGHTLY_CRON, RECONCILE_SCAN_JOB, SYNC_NIGHTLY_JOB, agendaSyncQueue, syncJobs } from './jobs/sync.jobs';
import { rateUsageBackfillRunner } from './rate-usage-backfill';
import { ReconcileService } from './reconcile.service';
import { SyncKind } from './sync-run.entity';
import { SyncResolver } from './sync.resolver';
import { SyncService } from './sync.service';

export type SyncModule = {
  service: SyncService;
  reconcile: ReconcileService;
  resolver: SyncResolver;
  jobs: JobDefinition[];
  /** Recurring jobs, for the worker: the reconciliation poll and the nightly backfills. */
  schedule(): Promise<void>;
};

export function createSyncModule(deps: {
  dataSource: DataSource;
  agenda: Agenda;
  unipile: UnipileClient;
  leadProgress: LeadProgressService;
  analytics: AnalyticsRepository;
  clock: Clock;
  log: Logger;
  reconcileIntervalMs: number;
  onReply?: ReplyListener;
}): SyncModule {
  const { dataSource, unipile, clock, log } = deps;
  const service = new SyncService(
    dataSource,
    {
      [SyncKind.HISTORICAL_CONNECTIONS]: historicalConnectionsRunner({ dataSource, unipile, progress: deps.leadProgress, log }),
      [SyncKind.CONVERSATIONS]: conversationBackfillRunner({ dataSource, unipile }),
      [SyncKind.RATE_USAGE]: rateUsageBackfillRunner({ dataSource, analytics: deps.analytics, clock }),
    },
    agendaSyncQueue(deps.agenda),
    clock,
    log,
  );
  const reconcile = new ReconcileService(dataSource, unipile, deps.leadProgress, clock, log, deps.onReply);
  return {
    service,
    reconcile,
    resolver: new SyncResolver(service),
    jobs: syncJobs(service, reconcile, deps.agenda),
    async schedule() {
      await deps.agenda.every(deps.reconcileIntervalMs, RECONCILE_SCAN_JOB);
      await deps.agenda.every(NIGHTLY_CRON, SYNC_NIGHTLY_JOB, undefined, { timezone: 'UTC', skipImmediate: true });
    },
  };
}
