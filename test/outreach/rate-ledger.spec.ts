import type { AccountCaps } from '../../src/modules/accounts/caps';
import { type LedgerRow, type SlotRequest, grantSlots } from '../../src/modules/outreach/rate-ledger';

// How a batch's reservations are decided from the ledger rows read (no database): in order, as one
// reservation after another.

const caps = (fields: Partial<AccountCaps & { id: string }> = {}): AccountCaps & { id: string } => ({
  id: 'a1',
  timezone: 'UTC',
  dailyInviteCap: 2,
  dailyMessageCap: 3,
  weeklyInviteCap: 5,
  rampStartCap: null,
  rampDailyIncrement: null,
  rampTargetCap: null,
  rampStartedAt: null,
  ...fields,
});
const DAY = '2025-03-04';
const ask = (n: number, request: Omit<SlotRequest, 'day'> & { day?: string }): SlotRequest[] =>
  Array.from({ length: n }, () => ({ day: DAY, ...request }));

describe('grantSlots', () => {
  it('grants up to the daily cap per kind, counting what the ledger holds, and adds one grant per row', () => {
    const account = caps();
    const rows: LedgerRow[] = [{ accountId: 'a1', day: DAY, kind: 'message', used: 2 }];
    const { refusals, grants } = grantSlots([...ask(3, { account, kind: 'invite' }), ...ask(2, { account, kind: 'message' })], rows);
    expect(refusals).toEqual([undefined, undefined, 'DAILY_CAP_REACHED', undefined, 'DAILY_CAP_REACHED']);
    expect(grants).toEqual([
      { accountId: 'a1', day: DAY, kind: 'invite', n: 2, cap: 2 },
      { accountId: 'a1', day: DAY, kind: 'message', n: 1, cap: 3 },
    ]);
  });

  it('refuses invites once the rolling 7 days reach the weekly cap (days before the window do not count)', () => {
    const account = caps({ dailyInviteCap: 10 });
    const rows: LedgerRow[] = [
      { accountId: 'a1', day: '2025-02-25', kind: 'invite', used: 9 }, // 7 days back: outside the window
      { accountId: 'a1', day: '2025-02-26', kind: 'message', used: 9 }, // messages do not count
      { accountId: 'a1', day: '2025-02-27', kind: 'invite', used: 3 },
      { accountId: 'a1', day: '2025-03-03', kind: 'invite', used: 1 },
    ];
    expect(grantSlots(ask(2, { account, kind: 'invite' }), rows).refusals).toEqual([undefined, 'WEEKLY_CAP_REACHED']);
    // Messages have no weekly cap.
    expect(grantSlots(ask(1, { account, kind: 'message' }), [{ accountId: 'a1', day: DAY, kind: 'invite', used: 5 }]).refusals).toEqual([undefined]);
  });

  it('says RAMP_LIMIT while a warm-up holds the invite cap below the daily cap', () => {
    const ramping = caps({ dailyInviteCap: 10, rampStartCap: 1, rampDailyIncrement: 1, rampTargetCap: 10, rampStartedAt: new Date(`${DAY}T08:00:00Z`) });
    expect(grantSlots(ask(2, { account: ramping, kind: 'invite' }), []).refusals).toEqual([undefined, 'RAMP_LIMIT']);
    expect(grantSlots(ask(1, { account: caps({ dailyMessageCap: 0 }), kind: 'message' }), []).refusals).toEqual(['DAILY_CAP_REACHED']);
  });

  it('keeps accounts and days apart', () => {
    const a1 = caps({ dailyInviteCap: 1 });
    const a2 = caps({ id: 'a2', dailyInviteCap: 1 });
    const requests = [...ask(1, { account: a1, kind: 'invite' }), ...ask(1, { account: a2, kind: 'invite' }), ...ask(1, { account: a1, kind: 'invite', day: '2025-03-05' })];
    const { refusals, grants } = grantSlots(requests, []);
    expect(refusals).toEqual([undefined, undefined, undefined]);
    expect(grants.map((g) => `${g.accountId}/${g.day}/${g.n}`)).toEqual(['a1/2025-03-04/1', 'a2/2025-03-04/1', 'a1/2025-03-05/1']);
  });
});
