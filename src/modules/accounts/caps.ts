import { daysBetween } from '../../core/time/days';
import { localDay } from './working-window';

export type ActionKind = 'invite' | 'message';

export type AccountCaps = {
  timezone: string;
  dailyInviteCap: number;
  dailyMessageCap: number;
  weeklyInviteCap: number;
  rampStartCap: number | null;
  rampDailyIncrement: number | null;
  rampTargetCap: number | null;
  rampStartedAt: Date | null;
};

/**
 * The daily cap of a kind on a local day. With a warm-up ramp, invites start at rampStartCap on
 * the day the ramp began and grow by rampDailyIncrement a day up to rampTargetCap, never above
 * dailyInviteCap.
 */
export function dailyCap(account: AccountCaps, kind: ActionKind, day: string): number {
  if (kind === 'message') return account.dailyMessageCap;
  const { rampStartCap, rampDailyIncrement, rampTargetCap, rampStartedAt } = account;
  if (rampStartCap === null || rampDailyIncrement === null || rampTargetCap === null || !rampStartedAt) {
    return account.dailyInviteCap;
  }
  const days = Math.max(0, daysBetween(localDay(account.timezone, rampStartedAt), day));
  return Math.min(account.dailyInviteCap, rampTargetCap, rampStartCap + rampDailyIncrement * days);
}

/** True while the ramp holds the invite cap below the account's daily cap. */
export const isRamping = (account: AccountCaps, day: string): boolean =>
  dailyCap(account, 'invite', day) < account.dailyInviteCap;
