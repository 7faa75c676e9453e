import { advanceCursor, type CursorState } from '../../src/modules/notifications/notification-events';

describe('advanceCursor', () => {
  const t0 = new Date('2026-01-05T09:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);
  const start: CursorState = { last: 10n, gapId: null, gapSince: null };

  it('should move to the last id when the ids are contiguous', () => {
    expect(advanceCursor(start, [11n, 12n, 13n], t0, 30_000)).toEqual({ last: 13n, gapId: null, gapSince: null });
  });

  it('should stop before a missing id (a transaction still open) and remember since when', () => {
    expect(advanceCursor(start, [11n, 13n, 14n], t0, 30_000)).toEqual({ last: 11n, gapId: 12n, gapSince: t0 });
  });

  it('should keep waiting for the same gap without resetting its clock', () => {
    const waiting: CursorState = { last: 11n, gapId: 12n, gapSince: t0 };
    expect(advanceCursor(waiting, [13n, 14n], later(10_000), 30_000)).toEqual(waiting);
  });

  it('should move on when the missing id arrives', () => {
    const waiting: CursorState = { last: 11n, gapId: 12n, gapSince: t0 };
    expect(advanceCursor(waiting, [12n, 13n, 14n], later(10_000), 30_000)).toEqual({ last: 14n, gapId: null, gapSince: null });
  });

  it('should skip a gap (rolled back) after the wait, and wait anew for a later one', () => {
    const waiting: CursorState = { last: 11n, gapId: 12n, gapSince: t0 };
    expect(advanceCursor(waiting, [13n, 14n, 16n], later(30_000), 30_000)).toEqual({ last: 14n, gapId: 15n, gapSince: later(30_000) });
  });

  it('should stay put when nothing new was read', () => {
    expect(advanceCursor(start, [], t0, 30_000)).toEqual({ last: 10n, gapId: null, gapSince: null });
  });
});
