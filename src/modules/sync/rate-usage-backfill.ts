import type { Clock } from '../../core/clock';
import { type AnalyticsRepository, lastDays } from '../analytics';
import { dailyCap, localDay } from '../accounts';
import type { SyncAccountsRepository } from './sync-accounts.repository';
import type { RunProgress, SyncParams, SyncRunner } from './sync-progress';
import type { LedgerUsage, SyncRateLedgerRepository } from './sync-rate-ledger.repository';

/** Days rebuilt by default: the rolling weekly cap reads 7, and a month shows drift. */
export const DEFAULT_RATE_USAGE_DAYS = 35;

/**
 * Rebuilds `rate_ledger.used` from the events (`connection_request_sent`, `message_sent`) per
 * local day of each account, counted by the analytics rollups. Past days take the events' count;
 * today keeps the higher of both, since a slot is reserved before its send is recorded. A new
 * row's cap is the day's cap under the current settings; an existing row keeps the cap it had.
 */
export function rateUsageBackfillRunner(deps: {
  accounts: SyncAccountsRepository;
  ledger: SyncRateLedgerRepository;
  analytics: AnalyticsRepository;
  clock: Clock;
}): SyncRunner {
  return async (run, report) => {
    const params = run.params as SyncParams;
    const days = params.days ?? DEFAULT_RATE_USAGE_DAYS;
    const accounts = await deps.accounts.accountCaps(run.workspaceId, params.accountId ?? null);
    const totals: RunProgress = { processed: 0, total: accounts.length * days, matched: 0, unmatched: 0, details: { accounts: accounts.length, rowsChanged: 0 } };
    const now = deps.clock.now();

    for (const account of accounts) {
      const sends = await deps.analytics.accountSends(account.id, lastDays(account.timezone, now, days));
      const today = localDay(account.timezone, now);
      const usage = sends.flatMap((s): LedgerUsage[] => [
        { day: s.day, kind: 'invite', used: s.invites, cap: dailyCap(account, 'invite', s.day) },
        { day: s.day, kind: 'message', used: s.messages, cap: dailyCap(account, 'message', s.day) },
      ]);
      const changed = await deps.ledger.rebuildUsage(account.id, usage, today);
      totals.processed += sends.length;
      totals.matched += sends.length;
      totals.details.rowsChanged = (totals.details.rowsChanged as number) + changed;
      await report(totals);
    }
    return totals;
  };
}
