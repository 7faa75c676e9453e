import { AccountStatus, type ActionKind, currentOrNextWindow, type LinkedInAccount } from '../accounts';
import { DateTime } from 'luxon';

/**
 * What this process's last scan of an account did, so the next scan skips the work that cannot
 * have changed. Without it, every scan re-reads the account's whole due set (hundreds of leads
 * waiting for tomorrow's cap) to give them the reason they already carry.
 *
 * A memo holds while the account's situation (settings, status, cooldown, working window, local
 * day) is the same and no lead became due since (leads due in (at, now] are one index probe). It
 * cannot see a lead moved into the past by something else than the engine (a connection accepted
 * after its message's delay had passed), nor a slot freed without a lead becoming due (a queued
 * step skipped because its lead moved on); the TTL bounds how late those are noticed while the
 * account may send, and wake() (new leads, an activation) drops every memo.
 */
export type ScanMemo = {
  at: number;
  validUntil: number;
  context: string;
  /** The reason every due lead (of a kind) was given. */
  reasons: Partial<Record<ActionKind | 'all', string>>;
  /** How many due leads carried it (what a scan reports as deferred). */
  deferred: Partial<Record<ActionKind | 'all', number>>;
  /** No due lead of this kind was left unscheduled. */
  exhausted: Partial<Record<ActionKind, boolean>>;
  /** Nothing was scheduled, exited or left over a batch bound: the same scan again would do nothing. */
  idle: boolean;
  nextSlotAt: number | null;
};

export const SCAN_MEMO_TTL_MS = 60 * 60_000;

/** The account's settings and state that a scan's decisions depend on (besides the time). */
export function scanContext(account: LinkedInAccount): string {
  return JSON.stringify([
    account.status,
    account.cooldownUntil?.getTime() ?? null,
    account.timezone,
    account.workStartMinute,
    account.workEndMinute,
    account.workingDays,
    account.dailyInviteCap,
    account.dailyMessageCap,
    account.weeklyInviteCap,
    account.rampStartCap,
    account.rampDailyIncrement,
    account.rampTargetCap,
    account.rampStartedAt?.getTime() ?? null,
  ]);
}

/**
 * Until when a scan at `now` stays descriptive if nothing else changes: the next edge of the
 * working window, the local midnight (caps and the ramp are per day), the end of a cooldown, and
 * the TTL while the account may send (when it may not, what a memo can miss is only a label).
 */
export function memoValidUntil(account: LinkedInAccount, now: Date): number {
  const window = currentOrNextWindow(account, now);
  const inside = window.start <= now;
  const midnight = DateTime.fromJSDate(now, { zone: account.timezone }).plus({ days: 1 }).startOf('day').toMillis();
  const cooling = account.cooldownUntil !== null && account.cooldownUntil > now;
  const maySend = inside && !cooling && account.status === AccountStatus.ACTIVE;
  return Math.min(
    inside ? window.end.getTime() : window.start.getTime(),
    midnight,
    cooling ? account.cooldownUntil!.getTime() : Number.POSITIVE_INFINITY,
    maySend ? now.getTime() + SCAN_MEMO_TTL_MS : Number.POSITIVE_INFINITY,
  );
}

/** The memo still describes the account at `now` (in its time, same settings and state). */
export function validMemo(memo: ScanMemo | undefined, account: LinkedInAccount, now: Date): ScanMemo | undefined {
  if (!memo || memo.at > now.getTime() || now.getTime() >= memo.validUntil) return undefined;
  return memo.context === scanContext(account) ? memo : undefined;
}

/** A scan of the account now would change nothing: idle last time, nothing new due, its next slot not reached. */
export function scanWouldBeIdle(memo: ScanMemo | undefined, freshDue: boolean, now: Date): boolean {
  if (!memo?.idle || freshDue) return false;
  return memo.nextSlotAt === null || memo.nextSlotAt <= memo.at || memo.nextSlotAt > now.getTime();
}

/** A memo of the scan starting at `now`; `idle` until something shows the next scan would have work. */
export function newScanMemo(account: LinkedInAccount, now: Date, idle: boolean): ScanMemo {
  return { at: now.getTime(), validUntil: memoValidUntil(account, now), context: scanContext(account), reasons: {}, deferred: {}, exhausted: {}, idle, nextSlotAt: null };
}

/**
 * What giving every due lead (of a kind, or 'all') a reason still has to write: nothing when no
 * lead is due or the last scan gave that reason and no lead became due since (`unchanged`); the
 * leads due since the last scan when it gave that reason; else every due lead. `carried`: the
 * leads the last scan already counted.
 */
export type DeferralWork = { carried: number; select: false } | { carried: number; select: true; since: Date | null };

export function deferralWork(previous: ScanMemo | undefined, key: ActionKind | 'all', reason: string, unchanged: boolean, anyDue: boolean): DeferralWork {
  if (!anyDue) return { carried: 0, select: false };
  if (previous === undefined || previous.reasons[key] !== reason) return { carried: 0, select: true, since: null };
  const carried = previous.deferred[key] ?? 0;
  return unchanged ? { carried, select: false } : { carried, select: true, since: new Date(previous.at) };
}

/** Remembers the reason every due lead got, unless the selection hit the batch bound (it may have left some out). */
export function rememberDeferral(memo: ScanMemo, key: ActionKind | 'all', reason: string, count: number, batch: number): void {
  if (count >= batch) return;
  memo.reasons[key] = reason;
  memo.deferred[key] = count;
}

/** The due leads of a kind must be read unless none is due, or the last scan left none of them unscheduled and none became due since. */
export const mustSelectDue = (previous: ScanMemo | undefined, unchanged: boolean, anyDue: boolean, kind: ActionKind): boolean =>
  anyDue && !(unchanged && previous?.exhausted[kind]);

/** The scan's outcome closes its memo: idle only if it scheduled nothing and deferred less than a batch. */
export function closeMemo(memo: ScanMemo, outcome: { scheduled?: number; deferred: number; nextSlotAt: Date | null }, batch: number): void {
  memo.nextSlotAt = outcome.nextSlotAt?.getTime() ?? null;
  memo.idle &&= !outcome.scheduled && outcome.deferred < batch;
}
