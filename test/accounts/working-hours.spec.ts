import { formatMinuteOfDay, parseMinuteOfDay } from '../../src/modules/accounts/working-hours';

describe('parseMinuteOfDay', () => {
  it.each([
    ['00:00', 0],
    ['00:01', 1],
    ['00:59', 59],
    ['01:00', 60],
    ['09:30', 9 * 60 + 30],
    ['12:00', 12 * 60],
    ['19:45', 19 * 60 + 45],
    ['23:59', 23 * 60 + 59],
    ['24:00', 24 * 60],
  ])('should read %p as minute %i of the day', (value, minute) => {
    expect(parseMinuteOfDay(value)).toBe(minute);
  });

  it.each([
    ['past the end of the day', '24:01'],
    ['half past midnight at the end of the day', '24:30'],
    ['hour 25', '25:00'],
    ['minute 60', '12:60'],
    ['a one-digit hour', '9:30'],
    ['a one-digit minute', '09:5'],
    ['no colon', '0930'],
    ['a dot separator', '09.30'],
    ['seconds', '09:30:00'],
    ['an am/pm suffix', '09:30 AM'],
    ['surrounding spaces', ' 09:30 '],
    ['a negative hour', '-1:00'],
    ['letters', 'ab:cd'],
    ['full-width digits', '０９:３０'],
    ['an empty string', ''],
  ])('should give undefined when the value has %s (%p)', (_label, value) => {
    expect(parseMinuteOfDay(value)).toBeUndefined();
  });
});

describe('formatMinuteOfDay', () => {
  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [60, '01:00'],
    [9 * 60 + 30, '09:30'],
    [23 * 60 + 59, '23:59'],
    [24 * 60, '24:00'],
  ])('should write minute %i as %p', (minute, text) => {
    expect(formatMinuteOfDay(minute)).toBe(text);
  });

  it('should round-trip with parseMinuteOfDay when given every minute of the day and the end of day', () => {
    for (let minute = 0; minute <= 24 * 60; minute++) {
      expect(parseMinuteOfDay(formatMinuteOfDay(minute))).toBe(minute);
    }
  });
});
