import { DateTime, IANAZone } from 'luxon';
import { InputError } from '../../core/errors';
import { BUCKET_MINUTES, MAX_DAYS } from './analytics-definitions';

/** Local calendar days firstDay..lastDay (YYYY-MM-DD) and the instants [from, to) they cover. */
export type DayRange = { timezone: string; firstDay: string; lastDay: string; from: Date; to: Date };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Throws BAD_USER_INPUT unless `timezone` is an IANA zone whose days the 15-minute rollup can split exactly. */
export function assertTimezone(timezone: string, field = 'timezone'): void {
  if (!IANAZone.isValidZone(timezone)) throw new InputError(`${field} is not an IANA time zone: ${timezone}`, { field });
}

/** The `days` local days ending with today (now's day in `timezone`). */
export function lastDays(timezone: string, now: Date, days: number): DayRange {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  return dayRange(timezone, today.minus({ days: days - 1 }), today);
}

/** Local days from..to, both inclusive (YYYY-MM-DD strings from the caller). */
export function daysBetween(timezone: string, from: string, to: string): DayRange {
  const first = parseDay(timezone, from, 'from');
  const last = parseDay(timezone, to, 'to');
  if (last < first) throw new InputError('to must not be before from', { field: 'to' });
  const span = last.diff(first, 'days').days + 1;
  if (span > MAX_DAYS) throw new InputError(`from..to may span at most ${MAX_DAYS} days`, { field: 'to' });
  return dayRange(timezone, first, last);
}

function parseDay(timezone: string, value: string, field: string): DateTime {
  const day = ISO_DAY.test(value) ? DateTime.fromISO(value, { zone: timezone }) : undefined;
  if (!day?.isValid) throw new InputError(`${field} must be a date YYYY-MM-DD`, { field });
  return day.startOf('day');
}

function dayRange(timezone: string, first: DateTime, last: DateTime): DayRange {
  const from = first.startOf('day');
  const to = last.plus({ days: 1 }).startOf('day');
  // Day boundaries must fall on rollup bucket edges; true for every zone in use since the 1970s.
  for (let day = from; day <= to; day = day.plus({ days: 1 })) {
    if (day.offset % BUCKET_MINUTES !== 0) {
      throw new InputError(`${timezone} has a UTC offset that is not a multiple of ${BUCKET_MINUTES} minutes in this range`, {
        field: 'timezone',
      });
    }
  }
  return { timezone, firstDay: from.toISODate()!, lastDay: last.toISODate()!, from: from.toJSDate(), to: to.toJSDate() };
}
