import type { Clock } from '../../core/clock';
import type { UsageRow, WeeklyRow } from '../../core/http/metrics';
import { dailyCap } from '../accounts';
import type { RateLedgerRepository } from './rate-ledger.repository';

/** Every sender's ledger usage on its own current local day, with the caps that apply (warm-up included). */
export function ledgerUsageReader(ledger: RateLedgerRepository, clock: Clock) {
  return async (): Promise<{ daily: UsageRow[]; weekly: WeeklyRow[] }> => {
    const rows = await ledger.currentUsage(clock.now());
    return {
      daily: rows.flatMap((r) => [
        { accountId: r.id, kind: 'invite' as const, usedToday: r.invites_today, capToday: dailyCap(r, 'invite', r.day) },
        { accountId: r.id, kind: 'message' as const, usedToday: r.messages_today, capToday: dailyCap(r, 'message', r.day) },
      ]),
      weekly: rows.map((r) => ({ accountId: r.id, invitesWeek: r.invites_week, weeklyCap: r.weeklyInviteCap })),
    };
  };
}
