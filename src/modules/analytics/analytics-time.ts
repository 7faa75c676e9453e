import { DateTime } from 'luxon';
import { InputError } from '../../core/errors';
import { addDays } from '../../core/time/days';
import { isValidTimeZone } from '../../core/time/zones';
import { BUCKET_MINUTES, MAX_DAYS } from './analytics-definitions';

/** Local calendar days firstDay..lastDay (YYYY-MM-DD) and the instants [from, to) they cover. */
export type DayRange = { timezone: string; firstDay: string; lastDay: string; from: Date; to: Date };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
// Days a caller may name: the end of 9999-12-31 falls in year 10000, which JavaScript writes as
// +010000-… and Postgres refuses (a failed statement, not the caller's error).
const FIRST_DAY = '1970-01-01';
const LAST_DAY = '9999-12-30';
const DAY_MS = 86_400_000;

// Zone arithmetic costs luxon an Intl call per offset (tens of µs each, ~100 for a 30-day range),
// and its results never change: valid zones and computed ranges are remembered (a bounded map).
const validZones = new Set<string>();
const ranges = new Map<string, DayRange>();
const MAX_RANGES = 1_000;
// Per zone (valid zones only: a finite set), the local day last found to hold `now`, and its instants.
const todays = new Map<string, { day: string; from: number; to: number }>();

/** Throws BAD_USER_INPUT unless `timezone` is an IANA zone whose days the 15-minute rollup can split exactly. */
export function assertTimezone(timezone: string, field = 'timezone'): void {
  if (validZones.has(timezone)) return;
  if (!isValidTimeZone(timezone)) throw new InputError(`${field} is not an IANA time zone: ${timezone}`, { field });
  validZones.add(timezone);
}

/** The `days` local days ending with today (now's day in `timezone`). */
export function lastDays(timezone: string, now: Date, days: number): DayRange {
  const today = localToday(timezone, now);
  return dayRange(timezone, addDays(today, -(days - 1)), today);
}

function localToday(timezone: string, now: Date): string {
  const known = todays.get(timezone);
  if (known && known.from <= now.getTime() && now.getTime() < known.to) return known.day;
  const day = DateTime.fromJSDate(now, { zone: timezone }).toISODate()!;
  const { from, to } = dayRange(timezone, day, day);
  todays.set(timezone, { day, from: from.getTime(), to: to.getTime() });
  return day;
}

/**
 * UTC instants that hold the `days` local days ending today in any zone (offsets stay within
 * −12 h … +14 h): for reading a sender's rows before its zone is known, in the same statement.
 */
export function coveringWindow(now: Date, days: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - (days + 2) * DAY_MS), to: new Date(now.getTime() + 2 * DAY_MS) };
}

/** Every day of a range, YYYY-MM-DD, oldest first. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.firstDay; day <= range.lastDay; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Local days from..to, both inclusive (YYYY-MM-DD strings from the caller). */
export function dayRangeBetween(timezone: string, from: string, to: string): DayRange {
  const first = parseDay(timezone, from, 'from');
  const last = parseDay(timezone, to, 'to');
  if (last < first) throw new InputError('to must not be before from', { field: 'to' });
  const span = last.diff(first, 'days').days + 1;
  if (span > MAX_DAYS) throw new InputError(`from..to may span at most ${MAX_DAYS} days`, { field: 'to' });
  return dayRange(timezone, first.toISODate()!, last.toISODate()!);
}

function parseDay(timezone: string, value: string, field: string): DateTime {
  const day = ISO_DAY.test(value) ? DateTime.fromISO(value, { zone: timezone }) : undefined;
  if (!day?.isValid) throw new InputError(`${field} must be a date YYYY-MM-DD`, { field });
  if (value < FIRST_DAY || value > LAST_DAY) throw new InputError(`${field} must be a day from ${FIRST_DAY} to ${LAST_DAY}`, { field });
  return day.startOf('day');
}

function dayRange(timezone: string, firstDay: string, lastDay: string): DayRange {
  const key = `${timezone}\n${firstDay}\n${lastDay}`;
  let range = ranges.get(key);
  if (!range) {
    range = computeDayRange(timezone, firstDay, lastDay);
    if (ranges.size >= MAX_RANGES) ranges.delete(ranges.keys().next().value!);
    ranges.set(key, range);
  }
  // Callers get their own Dates.
  return { ...range, from: new Date(range.from), to: new Date(range.to) };
}

function computeDayRange(timezone: string, firstDay: string, lastDay: string): DayRange {
  const from = DateTime.fromISO(firstDay, { zone: timezone }).startOf('day');
  const to = DateTime.fromISO(lastDay, { zone: timezone }).plus({ days: 1 }).startOf('day');
  // Day boundaries must fall on rollup bucket edges; true for every zone in use since the 1970s.
  for (let day = from; day <= to; day = day.plus({ days: 1 })) {
    if (day.offset % BUCKET_MINUTES !== 0) {
      throw new InputError(`${timezone} has a UTC offset that is not a multiple of ${BUCKET_MINUTES} minutes in this range`, {
        field: 'timezone',
      });
    }
  }
  return { timezone, firstDay, lastDay, from: from.toJSDate(), to: to.toJSDate() };
}
