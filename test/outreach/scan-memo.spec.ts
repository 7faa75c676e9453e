import {
  type ScanMemo,
  SCAN_MEMO_TTL_MS,
  closeMemo,
  deferralWork,
  mustSelectDue,
  newScanMemo,
  rememberDeferral,
  scanWouldBeIdle,
  validMemo,
} from '../../src/modules/outreach/scan-memo';
import { senderAccount } from '../factories/sender-account';

// What a scan remembers of an account, and what the next scan then skips: without a database.

const NOW = new Date('2026-01-07T10:00:00Z'); // a Wednesday, inside the window
const later = (ms: number) => new Date(NOW.getTime() + ms);
const memoWith = (changes: Partial<ScanMemo>): ScanMemo => ({ ...newScanMemo(senderAccount(), NOW, true), ...changes });

describe('newScanMemo and validMemo', () => {
  it('should hold for the same account until the TTL while it may send', () => {
    const memo = newScanMemo(senderAccount(), NOW, true);
    expect(memo.validUntil).toBe(NOW.getTime() + SCAN_MEMO_TTL_MS);
    expect(validMemo(memo, senderAccount(), later(SCAN_MEMO_TTL_MS - 1))).toBe(memo);
    expect(validMemo(memo, senderAccount(), later(SCAN_MEMO_TTL_MS))).toBeUndefined();
  });

  it('should end at the window’s end, and be dropped when a setting changes', () => {
    const memo = newScanMemo(senderAccount(), new Date('2026-01-07T16:30:00Z'), true);
    expect(memo.validUntil).toBe(new Date('2026-01-07T17:00:00Z').getTime());
    expect(validMemo(newScanMemo(senderAccount(), NOW, true), senderAccount({ dailyInviteCap: 21 }), later(1))).toBeUndefined();
  });
});

describe('deferralWork', () => {
  it('should write nothing when no lead is due', () => {
    expect(deferralWork(memoWith({ reasons: { all: 'COOLDOWN' }, deferred: { all: 7 } }), 'all', 'COOLDOWN', false, false)).toEqual({ carried: 0, select: false });
  });

  it('should select every due lead without a memo, or when the memo gave another reason', () => {
    expect(deferralWork(undefined, 'invite', 'DAILY_CAP_REACHED', false, true)).toEqual({ carried: 0, select: true, since: null });
    const other = memoWith({ reasons: { invite: 'RAMP_LIMIT' }, deferred: { invite: 4 } });
    expect(deferralWork(other, 'invite', 'DAILY_CAP_REACHED', true, true)).toEqual({ carried: 0, select: true, since: null });
  });

  it('should reuse the memo’s count when it gave the reason and nothing became due since', () => {
    const memo = memoWith({ reasons: { message: 'DAILY_CAP_REACHED' }, deferred: { message: 12 } });
    expect(deferralWork(memo, 'message', 'DAILY_CAP_REACHED', true, true)).toEqual({ carried: 12, select: false });
  });

  it('should select only the leads due since the memo when some became due', () => {
    const memo = memoWith({ reasons: { all: 'OUTSIDE_WORKING_HOURS' }, deferred: { all: 3 } });
    expect(deferralWork(memo, 'all', 'OUTSIDE_WORKING_HOURS', false, true)).toEqual({ carried: 3, select: true, since: NOW });
  });
});

describe('rememberDeferral', () => {
  it('should remember the reason and the count of a selection below the batch bound', () => {
    const memo = memoWith({});
    rememberDeferral(memo, 'invite', 'WEEKLY_CAP_REACHED', 499, 500);
    expect(memo).toMatchObject({ reasons: { invite: 'WEEKLY_CAP_REACHED' }, deferred: { invite: 499 } });
  });

  it('should not remember a selection that hit the batch bound (it may have left leads out)', () => {
    const memo = memoWith({});
    rememberDeferral(memo, 'invite', 'WEEKLY_CAP_REACHED', 500, 500);
    expect(memo.reasons).toEqual({});
    expect(memo.deferred).toEqual({});
  });
});

describe('mustSelectDue', () => {
  it('should read the due leads of a kind unless none is due or the unchanged memo found them all scheduled', () => {
    const exhausted = memoWith({ exhausted: { invite: true, message: false } });
    expect(mustSelectDue(exhausted, true, false, 'message')).toBe(false);
    expect(mustSelectDue(exhausted, true, true, 'invite')).toBe(false);
    expect(mustSelectDue(exhausted, true, true, 'message')).toBe(true);
    expect(mustSelectDue(exhausted, false, true, 'invite')).toBe(true);
    expect(mustSelectDue(undefined, false, true, 'invite')).toBe(true);
  });
});

describe('closeMemo and scanWouldBeIdle', () => {
  it('should keep an idle memo idle after a scan that scheduled nothing and deferred less than a batch', () => {
    const memo = memoWith({ idle: true });
    closeMemo(memo, { deferred: 499, nextSlotAt: later(3_600_000) }, 500);
    expect(memo).toMatchObject({ idle: true, nextSlotAt: later(3_600_000).getTime() });
    expect(scanWouldBeIdle(memo, false, later(60_000))).toBe(true);
    expect(scanWouldBeIdle(memo, true, later(60_000))).toBe(false);
    expect(scanWouldBeIdle(memo, false, later(3_600_000))).toBe(false);
  });

  it('should not be idle after a scan that scheduled something or hit the batch bound', () => {
    const scheduled = memoWith({ idle: true });
    closeMemo(scheduled, { scheduled: 1, deferred: 0, nextSlotAt: null }, 500);
    const full = memoWith({ idle: true });
    closeMemo(full, { deferred: 500, nextSlotAt: null }, 500);
    expect([scheduled.idle, full.idle]).toEqual([false, false]);
    expect(scanWouldBeIdle(full, false, later(1))).toBe(false);
  });
});
