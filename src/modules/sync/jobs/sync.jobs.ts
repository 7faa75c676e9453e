import type { Agenda, Job } from 'agenda';
import type { JobDefinition } from '../../../core/jobs/register-jobs';
import type { ReconcileService } from '../reconcile.service';
import type { SyncRunQueue, SyncService } from '../sync.service';

export const SYNC_RUN_JOB = 'sync.run';
export const SYNC_NIGHTLY_JOB = 'sync.nightly';
export const RECONCILE_SCAN_JOB = 'sync.reconcile-scan';
export const RECONCILE_ACCOUNT_JOB = 'sync.reconcile-account';

/** Nightly backfills at 03:00 UTC. */
export const NIGHTLY_CRON = '0 3 * * *';

export type SyncRunJobData = { runId: string };
export type ReconcileAccountJobData = { accountId: string };

/** The recurring scan fans out one poll per ACTIVE account; a poll still queued for an account is not queued twice. */
export function syncJobs(sync: SyncService, reconcile: ReconcileService, agenda: Agenda): JobDefinition[] {
  return [
    {
      name: SYNC_RUN_JOB,
      workspaceRow: { key: 'runId', table: 'sync_run' },
      handler: (job: Job<SyncRunJobData>) => sync.execute(job.attrs.data.runId),
      options: { concurrency: 2 },
    },
    { name: SYNC_NIGHTLY_JOB, handler: () => sync.nightly(), options: { concurrency: 1 } },
    {
      name: RECONCILE_SCAN_JOB,
      handler: async () => {
        const accountIds = await reconcile.activeAccountIds();
        for (const accountId of accountIds) {
          await agenda
            .create(RECONCILE_ACCOUNT_JOB, { accountId } satisfies ReconcileAccountJobData)
            .unique({ 'data.accountId': accountId }, { insertOnly: true })
            .schedule(new Date())
            .save();
        }
        return accountIds.length;
      },
      options: { concurrency: 1 },
    },
    {
      name: RECONCILE_ACCOUNT_JOB,
      workspaceRow: { key: 'accountId', table: 'linkedin_account' },
      handler: (job: Job<ReconcileAccountJobData>) => reconcile.reconcileAccount(job.attrs.data.accountId),
      options: { concurrency: 3 },
    },
  ];
}

export const agendaSyncQueue = (agenda: Agenda): SyncRunQueue => ({
  async enqueue(runId) {
    await agenda.now(SYNC_RUN_JOB, { runId } satisfies SyncRunJobData);
  },
});
