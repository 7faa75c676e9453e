import {
  type AccountCaps,
  AccountStatus,
  type ActionKind,
  currentOrNextWindow,
  dailyCap,
  isRamping,
  type LinkedInAccount,
  type Window,
  type WorkingHours,
} from '../accounts';
import type { AccountScanState } from './scan-state';

// The scan's decisions for one account, as pure functions of what it read (no database): whether
// the account may send at all, how much room today's caps leave, when each due lead goes out, what
// waits and why, and when the account's next slot is.

/** The kinds in the order a scan serves them (invites first: they pace the messages after them). */
export const ACTION_KINDS: readonly ActionKind[] = ['invite', 'message'];

/**
 * Reasons that mean "waiting for a free slot" (a cap, the ramp, a full window). Outside working
 * hours a lead carrying one keeps it: no slot comes before the next window anyway, so the night is
 * not a change worth a timeline event (nor a row update), and neither is the next morning's
 * return to the same reason. Without this, every waiting lead of every sender changed its reason
 * twice a working day.
 */
export const SLOT_REASONS = ['DAILY_CAP_REACHED', 'WEEKLY_CAP_REACHED', 'RAMP_LIMIT', 'WINDOW_FULL'];

/** Why every due lead of an account waits, and when the account may send again (null: not by itself). */
export type AccountHold = { reason: string; nextSlotAt: Date | null };

/**
 * An account sends only while it is ACTIVE, not cooling down after a rate limit, and inside its
 * working window; otherwise its due leads wait for the first of these that holds.
 */
export function accountHold(account: Pick<LinkedInAccount, 'status' | 'cooldownUntil'>, window: Window, now: Date): AccountHold | undefined {
  if (account.status !== AccountStatus.ACTIVE) return { reason: `ACCOUNT_${account.status}`, nextSlotAt: null };
  if (account.cooldownUntil && account.cooldownUntil > now) return { reason: 'COOLDOWN', nextSlotAt: account.cooldownUntil };
  if (window.start > now) return { reason: 'OUTSIDE_WORKING_HOURS', nextSlotAt: window.start };
  return undefined;
}

type Counts = Pick<AccountScanState, 'used' | 'pending'>;

/**
 * Actions of each kind that may still be scheduled today: invites under both the daily cap (the
 * ramp's, while it warms up) and the rolling weekly cap, messages under the daily cap; what was
 * sent today and what is queued both count.
 */
export function roomToday(account: AccountCaps, day: string, { used, pending }: Counts): Record<ActionKind, number> {
  return {
    invite: Math.max(0, Math.min(dailyCap(account, 'invite', day) - used.inviteToday, account.weeklyInviteCap - used.inviteWeek) - pending.invite),
    message: Math.max(0, account.dailyMessageCap - used.messageToday - pending.message),
  };
}

/** Which cap a lead of each kind waits for when today has no room: the weekly cap first, then the ramp, else the daily cap. */
export function capReasons(account: AccountCaps, day: string, { used, pending }: Counts): Record<ActionKind, string> {
  return {
    invite: account.weeklyInviteCap - used.inviteWeek - pending.invite <= 0 ? 'WEEKLY_CAP_REACHED' : isRamping(account, day) ? 'RAMP_LIMIT' : 'DAILY_CAP_REACHED',
    message: 'DAILY_CAP_REACHED',
  };
}

export type Pacing = { minGapMs: number; jitterMs: number; random: () => number };

export type PacedLeads<L> = {
  /** The leads that go out today, each at its time. */
  scheduled: Array<L & { at: Date }>;
  /** The leads left waiting (no room, or their time fell after the window). */
  waiting: L[];
  /** Some lead waits only because the window ended, with room left. */
  windowFull: boolean;
  /** Room of this kind left after them. */
  room: number;
  /** The account's last scheduled action (ms), the anchor of the next. */
  last: number | undefined;
};

/**
 * Spreads due leads over the rest of the window: each action at least minGap after the account's
 * previous one (never before now), plus random jitter, while room lasts and the time falls inside
 * the window. Every lead draws its jitter, scheduled or not, so a seeded run is reproducible.
 */
export function paceDueLeads<L>(due: L[], room: number, last: number | undefined, windowEnd: Date, now: Date, pacing: Pacing): PacedLeads<L> {
  const paced: PacedLeads<L> = { scheduled: [], waiting: [], windowFull: false, room, last };
  for (const lead of due) {
    const earliest = paced.last === undefined ? now.getTime() : paced.last + pacing.minGapMs;
    const at = Math.max(now.getTime(), earliest) + Math.floor(pacing.random() * pacing.jitterMs);
    if (paced.room <= 0 || at >= windowEnd.getTime()) {
      paced.windowFull ||= paced.room > 0;
      paced.waiting.push(lead);
      continue;
    }
    paced.room -= 1;
    paced.last = at;
    paced.scheduled.push({ ...lead, at: new Date(at) });
  }
  return paced;
}

/** The reason left-over leads get: a full window when room remained, else the cap they wait for. */
export const waitingReason = (paced: Pick<PacedLeads<unknown>, 'windowFull'>, capReason: string): string => (paced.windowFull ? 'WINDOW_FULL' : capReason);

/**
 * When the account can next act: with no room left today, the start of its next working window;
 * after an action scheduled ahead, minGap after it; otherwise now.
 */
export function nextSlotAt(hours: WorkingHours, window: Window, roomLeft: number, last: number | undefined, now: Date, minGapMs: number): Date {
  if (roomLeft === 0) return currentOrNextWindow(hours, window.end).start;
  return last !== undefined && last > now.getTime() ? new Date(last + minGapMs) : now;
}
