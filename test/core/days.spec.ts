import { addDays, daysBetween } from '../../src/core/time/days';
import { isValidTimeZone } from '../../src/core/time/zones';

describe('addDays', () => {
  it.each([
    ['2026-03-02', 1, '2026-03-03'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-29', 0, '2026-03-29'],
    ['2026-03-02', -7, '2026-02-23'],
  ])('%s %+d days is %s', (day, days, expected) => {
    expect(addDays(day, days)).toBe(expected);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-03-02', '2026-03-02', 0],
    ['2026-03-01', '2026-03-31', 30],
    ['2024-02-01', '2024-03-01', 29],
    ['2026-01-05', '2025-12-29', -7],
  ])('%s to %s is %d days', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('undoes addDays', () => {
    for (const shift of [-400, -1, 0, 1, 45, 366]) expect(daysBetween('2026-03-29', addDays('2026-03-29', shift))).toBe(shift);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'Etc/GMT+5'])(
    'should accept the IANA zone %p',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(true);
    },
  );

  it.each(['', 'Mars/Olympus_Mons', 'Europe/Atlantis', 'Paris', 'not a zone', '+02:00', 'Europe/Paris '])('should refuse %p', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});
