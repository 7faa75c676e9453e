import type { AccountCaps } from '../../src/modules/accounts/caps';
import { AccountStatus, LinkedInAccount } from '../../src/modules/accounts/linkedin-account.entity';

/** The default caps of a sender in the engine's unit tests: no warm-up ramp. */
export const SENDER_CAPS: AccountCaps = {
  timezone: 'UTC',
  dailyInviteCap: 20,
  dailyMessageCap: 50,
  weeklyInviteCap: 100,
  rampStartCap: null,
  rampDailyIncrement: null,
  rampTargetCap: null,
  rampStartedAt: null,
};

/**
 * An active sender account in memory (no database), for the engine's rules: UTC, 09:00–17:00
 * Monday to Friday, SENDER_CAPS, no cooldown and no slot taken yet. `changes` override any field.
 */
export const senderAccount = (changes: Partial<LinkedInAccount> = {}): LinkedInAccount =>
  Object.assign(new LinkedInAccount(), {
    id: 'account-1',
    workspaceId: 'ws-1',
    status: AccountStatus.ACTIVE,
    cooldownUntil: null,
    workStartMinute: 9 * 60,
    workEndMinute: 17 * 60,
    workingDays: [1, 2, 3, 4, 5],
    ...SENDER_CAPS,
    nextSlotAt: null,
    ...changes,
  });
