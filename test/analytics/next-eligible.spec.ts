import { type EligibilityInput, invitesInWeekEnding, nextEligibleAt } from '../../src/modules/analytics/next-eligible';

// 2026-03-11 is a Wednesday. Default account: UTC, Monday–Friday 09:00–17:00, 25 invites and
// 100 messages a day, 100 invites a week, no warm-up, no cooldown.
function input(overrides: Partial<Omit<EligibilityInput, 'now'>> & { now: string }, sent: Record<string, [number, number]> = {}): EligibilityInput {
  return {
    active: true,
    hours: { timezone: 'UTC', workStartMinute: 9 * 60, workEndMinute: 17 * 60, workingDays: [1, 2, 3, 4, 5] },
    caps: {
      timezone: 'UTC',
      dailyInviteCap: 25,
      dailyMessageCap: 100,
      weeklyInviteCap: 100,
      rampStartCap: null,
      rampDailyIncrement: null,
      rampTargetCap: null,
      rampStartedAt: null,
    },
    cooldownUntil: null,
    ...overrides,
    now: new Date(overrides.now),
    sent: new Map(Object.entries(sent).map(([day, [invites, messages]]) => [day, { invites, messages }])),
  };
}
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('nextEligibleAt', () => {
  it('should be now inside working hours with room under the caps', () => {
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z' }), 'invite'))).toBe('2026-03-11T12:00:00.000Z');
  });

  it('should wait for the window to open, and skip the weekend after Friday hours', () => {
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T06:00:00Z' }), 'message'))).toBe('2026-03-11T09:00:00.000Z');
    expect(iso(nextEligibleAt(input({ now: '2026-03-13T17:00:00Z' }), 'message'))).toBe('2026-03-16T09:00:00.000Z');
  });

  it('should wait out a cooldown, into the next window when it ends after hours', () => {
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', cooldownUntil: new Date('2026-03-11T15:30:00Z') }), 'invite'))).toBe(
      '2026-03-11T15:30:00.000Z',
    );
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', cooldownUntil: new Date('2026-03-11T20:00:00Z') }), 'invite'))).toBe(
      '2026-03-12T09:00:00.000Z',
    );
    // A cooldown already over changes nothing.
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', cooldownUntil: new Date('2026-03-10T20:00:00Z') }), 'invite'))).toBe(
      '2026-03-11T12:00:00.000Z',
    );
  });

  it("should move to the next working day when today's cap is used, per kind", () => {
    const full = input({ now: '2026-03-11T12:00:00Z' }, { '2026-03-11': [25, 40] });
    expect(iso(nextEligibleAt(full, 'invite'))).toBe('2026-03-12T09:00:00.000Z');
    expect(iso(nextEligibleAt(full, 'message'))).toBe('2026-03-11T12:00:00.000Z');
  });

  it('should apply the warm-up cap of the day', () => {
    const caps = { ...input({ now: '2026-03-11T12:00:00Z' }).caps, rampStartCap: 2, rampDailyIncrement: 1, rampTargetCap: 10, rampStartedAt: new Date('2026-03-10T10:00:00Z') };
    // Day 2 of the ramp: cap 3; 3 sent today.
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', caps }, { '2026-03-11': [3, 0] }), 'invite'))).toBe('2026-03-12T09:00:00.000Z');
    expect(iso(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', caps }, { '2026-03-11': [2, 0] }), 'invite'))).toBe('2026-03-11T12:00:00.000Z');
  });

  it('should hold invites until the rolling week drops under the weekly cap; messages are not held', () => {
    // 100 invites: 40 on Thursday 03-05, 60 on Monday 03-09. Thursday 03-12 still counts 03-06..03-12 = 60.
    const sent = { '2026-03-05': [40, 0], '2026-03-09': [60, 0] } as Record<string, [number, number]>;
    const week = input({ now: '2026-03-11T12:00:00Z' }, sent);
    expect(invitesInWeekEnding(week.sent, '2026-03-11')).toBe(100);
    expect(invitesInWeekEnding(week.sent, '2026-03-12')).toBe(60);
    expect(iso(nextEligibleAt(week, 'invite'))).toBe('2026-03-12T09:00:00.000Z');
    expect(iso(nextEligibleAt(week, 'message'))).toBe('2026-03-11T12:00:00.000Z');
  });

  it("should follow the account's time zone, daylight saving included", () => {
    const hours = { timezone: 'America/Los_Angeles', workStartMinute: 9 * 60, workEndMinute: 17 * 60, workingDays: [1, 2, 3, 4, 5] };
    // Friday 2026-03-06 18:00 PST → Monday 03-09 09:00 PDT (UTC−7 since Sunday).
    expect(iso(nextEligibleAt(input({ now: '2026-03-07T02:00:00Z', hours }), 'message'))).toBe('2026-03-09T16:00:00.000Z');
  });

  it('should say never for an account that is not active, or whose cap is zero', () => {
    expect(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', active: false }), 'message')).toBeNull();
    const caps = { ...input({ now: '2026-03-11T12:00:00Z' }).caps, dailyInviteCap: 0 };
    expect(nextEligibleAt(input({ now: '2026-03-11T12:00:00Z', caps }), 'invite')).toBeNull();
  });
});
