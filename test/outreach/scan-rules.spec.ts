import { AccountStatus } from '../../src/modules/accounts/linkedin-account.entity';
import { accountHold, capReasons, nextSlotAt, paceDueLeads, roomToday, waitingReason } from '../../src/modules/outreach/scan-rules';
import { currentOrNextWindow } from '../../src/modules/accounts/working-window';
import { SENDER_CAPS } from '../factories/sender-account';

// The scan's decisions for one account, without a database: hold, room under the caps, the reason
// a lead waits for, pacing into the window, and the account's next slot.

const caps = SENDER_CAPS;
const hours = { timezone: 'Europe/Paris', workStartMinute: 9 * 60, workEndMinute: 17 * 60, workingDays: [1, 2, 3, 4, 5] };
const nothingUsed = { used: { inviteToday: 0, messageToday: 0, inviteWeek: 0 }, pending: { invite: 0, message: 0 } };
const DAY = '2026-01-07'; // a Wednesday
const at = (iso: string) => new Date(iso);

describe('accountHold', () => {
  const window = { start: at('2026-01-07T08:00:00Z'), end: at('2026-01-07T16:00:00Z') };
  const inside = at('2026-01-07T10:00:00Z');

  it.each([AccountStatus.PAUSED, AccountStatus.DISCONNECTED, AccountStatus.RESTRICTED])('should hold a %s account with no next slot of its own', (status) => {
    expect(accountHold({ status, cooldownUntil: null }, window, inside)).toEqual({ reason: `ACCOUNT_${status}`, nextSlotAt: null });
  });

  it('should hold a cooling account until its cooldown ends', () => {
    const until = at('2026-01-07T12:00:00Z');
    expect(accountHold({ status: AccountStatus.ACTIVE, cooldownUntil: until }, window, inside)).toEqual({ reason: 'COOLDOWN', nextSlotAt: until });
  });

  it('should name the status before the cooldown and the cooldown before the hours', () => {
    const before = at('2026-01-07T07:00:00Z');
    const until = at('2026-01-07T12:00:00Z');
    expect(accountHold({ status: AccountStatus.PAUSED, cooldownUntil: until }, window, before)?.reason).toBe('ACCOUNT_PAUSED');
    expect(accountHold({ status: AccountStatus.ACTIVE, cooldownUntil: until }, window, before)?.reason).toBe('COOLDOWN');
  });

  it('should hold an account before its window until the window starts', () => {
    const before = at('2026-01-07T07:00:00Z');
    expect(accountHold({ status: AccountStatus.ACTIVE, cooldownUntil: null }, window, before)).toEqual({ reason: 'OUTSIDE_WORKING_HOURS', nextSlotAt: window.start });
  });

  it('should let an active account send inside its window once a cooldown has passed', () => {
    expect(accountHold({ status: AccountStatus.ACTIVE, cooldownUntil: at('2026-01-07T09:59:59Z') }, window, inside)).toBeUndefined();
  });
});

describe('roomToday', () => {
  it('should leave the daily caps less what was sent and what is queued', () => {
    const room = roomToday(caps, DAY, { used: { inviteToday: 5, messageToday: 10, inviteWeek: 5 }, pending: { invite: 3, message: 4 } });
    expect(room).toEqual({ invite: 20 - 5 - 3, message: 50 - 10 - 4 });
  });

  it('should hold invites to what the rolling week has left when that is less', () => {
    expect(roomToday(caps, DAY, { used: { inviteToday: 0, messageToday: 0, inviteWeek: 95 }, pending: { invite: 2, message: 0 } }).invite).toBe(3);
  });

  it('should hold invites to the ramp while it warms up', () => {
    const ramping = { ...caps, rampStartCap: 5, rampDailyIncrement: 2, rampTargetCap: 20, rampStartedAt: at('2026-01-05T10:00:00Z') };
    expect(roomToday(ramping, DAY, nothingUsed).invite).toBe(5 + 2 * 2);
  });

  it('should never be negative when more was sent than the cap allows now (a lowered cap)', () => {
    expect(roomToday(caps, DAY, { used: { inviteToday: 30, messageToday: 60, inviteWeek: 30 }, pending: { invite: 1, message: 1 } })).toEqual({ invite: 0, message: 0 });
  });
});

describe('capReasons', () => {
  it('should name the weekly cap when the week (queue included) is used up', () => {
    expect(capReasons(caps, DAY, { used: { inviteToday: 0, messageToday: 0, inviteWeek: 99 }, pending: { invite: 1, message: 0 } }).invite).toBe('WEEKLY_CAP_REACHED');
  });

  it('should name the ramp while it holds the invite cap below the daily cap', () => {
    const ramping = { ...caps, rampStartCap: 5, rampDailyIncrement: 2, rampTargetCap: 20, rampStartedAt: at('2026-01-07T10:00:00Z') };
    expect(capReasons(ramping, DAY, nothingUsed).invite).toBe('RAMP_LIMIT');
  });

  it('should name the daily cap otherwise, and always for messages', () => {
    const rampDone = { ...caps, rampStartCap: 5, rampDailyIncrement: 10, rampTargetCap: 20, rampStartedAt: at('2025-12-01T10:00:00Z') };
    expect(capReasons(rampDone, DAY, nothingUsed)).toEqual({ invite: 'DAILY_CAP_REACHED', message: 'DAILY_CAP_REACHED' });
  });
});

describe('paceDueLeads', () => {
  const now = at('2026-01-07T10:00:00Z');
  const windowEnd = at('2026-01-07T16:00:00Z');
  const pacing = (random: () => number = () => 0) => ({ minGapMs: 60_000, jitterMs: 10_000, random });
  const leads = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `lead-${i}` }));
  const times = (scheduled: Array<{ at: Date }>) => scheduled.map((s) => s.at.toISOString());

  it('should start now without an earlier action and space the next ones by the minimum gap', () => {
    const paced = paceDueLeads(leads(3), 10, undefined, windowEnd, now, pacing());
    expect(times(paced.scheduled)).toEqual(['2026-01-07T10:00:00.000Z', '2026-01-07T10:01:00.000Z', '2026-01-07T10:02:00.000Z']);
    expect(paced).toMatchObject({ waiting: [], windowFull: false, room: 7, last: at('2026-01-07T10:02:00Z').getTime() });
  });

  it('should continue from the account’s last scheduled action, and never before now', () => {
    const ahead = paceDueLeads(leads(1), 10, at('2026-01-07T10:30:00Z').getTime(), windowEnd, now, pacing());
    expect(times(ahead.scheduled)).toEqual(['2026-01-07T10:31:00.000Z']);
    const longAgo = paceDueLeads(leads(1), 10, at('2026-01-07T09:00:00Z').getTime(), windowEnd, now, pacing());
    expect(times(longAgo.scheduled)).toEqual(['2026-01-07T10:00:00.000Z']);
  });

  it('should add the random jitter to each action', () => {
    const paced = paceDueLeads(leads(2), 10, undefined, windowEnd, now, pacing(() => 0.5));
    expect(times(paced.scheduled)).toEqual(['2026-01-07T10:00:05.000Z', '2026-01-07T10:01:10.000Z']);
  });

  it('should leave the leads beyond the room waiting for the cap, not for the window', () => {
    const paced = paceDueLeads(leads(4), 2, undefined, windowEnd, now, pacing());
    expect(paced.scheduled.map((s) => s.id)).toEqual(['lead-0', 'lead-1']);
    expect(paced.waiting.map((l) => l.id)).toEqual(['lead-2', 'lead-3']);
    expect(paced).toMatchObject({ windowFull: false, room: 0 });
    expect(waitingReason(paced, 'DAILY_CAP_REACHED')).toBe('DAILY_CAP_REACHED');
  });

  it('should leave the leads whose time falls after the window waiting for a full window', () => {
    const paced = paceDueLeads(leads(4), 10, undefined, at('2026-01-07T10:01:30Z'), now, pacing());
    expect(paced.scheduled.map((s) => s.id)).toEqual(['lead-0', 'lead-1']);
    expect(paced.waiting.map((l) => l.id)).toEqual(['lead-2', 'lead-3']);
    expect(paced).toMatchObject({ windowFull: true, room: 8 });
    expect(waitingReason(paced, 'DAILY_CAP_REACHED')).toBe('WINDOW_FULL');
  });

  it('should draw one jitter per due lead, scheduled or not (seeded runs stay reproducible)', () => {
    let draws = 0;
    paceDueLeads(leads(5), 2, undefined, windowEnd, now, pacing(() => (draws++, 0)));
    expect(draws).toBe(5);
  });
});

describe('nextSlotAt', () => {
  const now = at('2026-01-09T10:00:00Z'); // a Friday, 11:00 in Paris
  const window = currentOrNextWindow(hours, now);

  it('should be the next working window when no room is left today (over the weekend)', () => {
    expect(nextSlotAt(hours, window, 0, now.getTime(), now, 60_000).toISOString()).toBe('2026-01-12T08:00:00.000Z');
  });

  it('should be one gap after an action scheduled ahead', () => {
    expect(nextSlotAt(hours, window, 3, at('2026-01-09T10:05:00Z').getTime(), now, 60_000).toISOString()).toBe('2026-01-09T10:06:00.000Z');
  });

  it('should be now when nothing is scheduled ahead', () => {
    expect(nextSlotAt(hours, window, 3, undefined, now, 60_000)).toEqual(now);
    expect(nextSlotAt(hours, window, 3, at('2026-01-09T09:00:00Z').getTime(), now, 60_000)).toEqual(now);
  });
});
