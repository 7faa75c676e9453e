import { type AccountCaps, type ActionKind, dailyCap, isRamping } from '../accounts';
import { addDays } from '../../core/time/days';

export type Usage = { inviteToday: number; messageToday: number; inviteWeek: number };

export type Refusal = 'DAILY_CAP_REACHED' | 'WEEKLY_CAP_REACHED' | 'RAMP_LIMIT';

export type SlotRequest = { account: AccountCaps & { id: string }; kind: ActionKind; day: string };

/** One ledger row as read: what an account used of a kind on a local day. */
export type LedgerRow = { accountId: string; day: string; kind: ActionKind; used: number };

/** Slots granted on one ledger row by a batch: `n` more used, with the day's cap. */
export type Grant = { accountId: string; day: string; kind: ActionKind; n: number; cap: number };

/** Which limit refuses an action when the daily cap (or its warm-up ramp) is the one reached. */
export function dailyRefusal(account: AccountCaps, kind: ActionKind, day: string): Refusal {
  return kind === 'invite' && isRamping(account, day) ? 'RAMP_LIMIT' : 'DAILY_CAP_REACHED';
}

/**
 * The reservations of a batch, decided in order as one reservation after another would be: a
 * daily (or ramp) cap per local day and kind, and the rolling 7-day invite sum. `rows` are the
 * ledger rows the requests can touch (each account's last 7 days). Per request, undefined
 * (granted) or the limit that refuses it; and the grants to add to the ledger, one per row.
 */
export function grantSlots(requests: SlotRequest[], rows: LedgerRow[]): { refusals: Array<Refusal | undefined>; grants: Grant[] } {
  const used = new Map<string, number>();
  const key = (accountId: string, day: string, kind: ActionKind) => `${accountId}/${day}/${kind}`;
  for (const row of rows) used.set(key(row.accountId, row.day, row.kind), row.used);
  const weekOf = (accountId: string, day: string) => {
    let n = 0;
    for (let d = -6; d <= 0; d++) n += used.get(key(accountId, addDays(day, d), 'invite')) ?? 0;
    return n;
  };
  const granted = new Map<string, Grant>();
  const refusals = requests.map(({ account, kind, day }): Refusal | undefined => {
    const cap = dailyCap(account, kind, day);
    if (cap <= 0) return dailyRefusal(account, kind, day);
    if (kind === 'invite' && weekOf(account.id, day) >= account.weeklyInviteCap) return 'WEEKLY_CAP_REACHED';
    const k = key(account.id, day, kind);
    if ((used.get(k) ?? 0) >= cap) return dailyRefusal(account, kind, day);
    used.set(k, (used.get(k) ?? 0) + 1);
    const g = granted.get(k) ?? { accountId: account.id, day, kind, n: 0, cap };
    g.n += 1;
    granted.set(k, g);
    return undefined;
  });
  return { refusals, grants: [...granted.values()] };
}
