import { analyticsModule } from '../analytics';
import { leadsModule } from '../leads';
import { defineModule } from '../module';
import { unipileModule } from '../unipile';
import { conversationBackfillRunner } from './conversation-backfill';
import { historicalConnectionsRunner } from './historical-sync';
import { NIGHTLY_CRON, RECONCILE_SCAN_JOB, SYNC_NIGHTLY_JOB, agendaSyncQueue, syncJobs } from './jobs/sync.jobs';
import { rateUsageBackfillRunner } from './rate-usage-backfill';
import { ReconcileState } from './reconcile-state.entity';
import { ReconcileStateRepository } from './reconcile-state.repository';
import { ReconcileService } from './reconcile.service';
import { SyncAccountsRepository } from './sync-accounts.repository';
import { SyncLeadsRepository } from './sync-leads.repository';
import { SyncRateLedgerRepository } from './sync-rate-ledger.repository';
import { SyncKind, SyncRun } from './sync-run.entity';
import { SyncRunRepository } from './sync-run.repository';
import { SyncScopeRepository } from './sync-scope.repository';
import { SyncResolver } from './sync.resolver';
import { SyncService } from './sync.service';

/** Historical connection sync, conversation and rate-usage backfills, and the reconciliation poll. */
export const syncModule = defineModule({
  name: 'sync',
  entities: [SyncRun, ReconcileState],
  resolvers: [SyncResolver],
  create(ctx) {
    const { dataSource, clock, log, jobs, config, signals } = ctx;
    const unipile = ctx.use(unipileModule).client;
    const progress = ctx.use(leadsModule).progress;
    const { manager } = dataSource;
    const accounts = new SyncAccountsRepository(manager);
    const leads = new SyncLeadsRepository(manager);
    const leadsDue = () => void signals.leadsDue.emit();
    const service = new SyncService(
      new SyncRunRepository(manager),
      new SyncScopeRepository(manager),
      accounts,
      {
        [SyncKind.HISTORICAL_CONNECTIONS]: historicalConnectionsRunner({ accounts, leads, unipile, progress, log, onLeadsDue: leadsDue }),
        [SyncKind.CONVERSATIONS]: conversationBackfillRunner({ leads, unipile }),
        [SyncKind.RATE_USAGE]: rateUsageBackfillRunner({
          accounts,
          ledger: new SyncRateLedgerRepository(manager),
          analytics: ctx.use(analyticsModule).repository,
          clock,
        }),
      },
      agendaSyncQueue(jobs),
      clock,
      log,
    );
    const reconcile = new ReconcileService(
      new ReconcileStateRepository(manager),
      accounts,
      leads,
      unipile,
      progress,
      clock,
      log,
      (reply) => signals.replyDetected.emit(reply),
      leadsDue,
    );
    return {
      service,
      reconcile,
      resolvers: [new SyncResolver(service)],
      jobs: syncJobs(service, reconcile, jobs),
      async startWorker() {
        await jobs.every(config.sync.reconcileIntervalMs, RECONCILE_SCAN_JOB);
        await jobs.every(NIGHTLY_CRON, SYNC_NIGHTLY_JOB, undefined, { timezone: 'UTC', skipImmediate: true });
      },
    };
  },
});
