import { type AccountCaps, type ActionKind, currentOrNextWindow, dailyCap, localDay, type WorkingHours } from '../accounts';
import { addDays } from '../../core/time/days';

// When an account may next send, from its settings and what it sent: a pure function of its
// inputs (no clock, no database), using the engine's own window and cap rules so the two agree.

export type EligibilityInput = {
  now: Date;
  active: boolean;
  hours: WorkingHours;
  caps: AccountCaps;
  cooldownUntil: Date | null;
  /** Sends per local day (YYYY-MM-DD); must cover at least the 7 days ending today. */
  sent: ReadonlyMap<string, { invites: number; messages: number }>;
};

// Windows to look through: enough to roll a full week of invites out of the weekly cap.
const MAX_WINDOWS = 21;

/** Invites over the 7 local days ending with `day` (the engine's rolling weekly cap). */
export function invitesInWeekEnding(sent: EligibilityInput['sent'], day: string): number {
  let total = 0;
  for (let back = 0; back < 7; back++) total += sent.get(addDays(day, -back))?.invites ?? 0;
  return total;
}

/**
 * The earliest moment from `now` at which the account may send an action of this kind: inside
 * working hours (its zone), after any cooldown, under the day's cap (warm-up included) and, for
 * invites, under the weekly cap. Null when it may not send at all (not ACTIVE, or caps of zero).
 * Days after today are assumed to have no sends yet.
 */
export function nextEligibleAt(input: EligibilityInput, kind: ActionKind): Date | null {
  if (!input.active) return null;
  const { hours, caps, sent } = input;
  let at = input.cooldownUntil && input.cooldownUntil > input.now ? input.cooldownUntil : input.now;
  for (let i = 0; i < MAX_WINDOWS; i++) {
    const window = currentOrNextWindow(hours, at);
    const candidate = window.start > at ? window.start : at;
    const day = localDay(hours.timezone, candidate);
    const used = kind === 'invite' ? (sent.get(day)?.invites ?? 0) : (sent.get(day)?.messages ?? 0);
    const underWeekly = kind === 'message' || invitesInWeekEnding(sent, day) < caps.weeklyInviteCap;
    if (used < dailyCap(caps, kind, day) && underWeekly) return candidate;
    at = window.end;
  }
  return null;
}
