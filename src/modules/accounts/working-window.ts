import { DateTime } from 'luxon';

// Working hours are wall-clock times in the account's IANA zone: windows follow DST changes.

export type WorkingHours = { timezone: string; workStartMinute: number; workEndMinute: number; workingDays: number[] };

export type Window = { start: Date; end: Date };

function windowOn(day: DateTime, hours: WorkingHours): Window {
  const at = (minute: number) =>
    minute >= 24 * 60 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
  return { start: at(hours.workStartMinute).toJSDate(), end: at(hours.workEndMinute).toJSDate() };
}

/** The working window that contains `at`, or else the next one to start after it. */
export function currentOrNextWindow(hours: WorkingHours, at: Date): Window {
  const today = DateTime.fromJSDate(at, { zone: hours.timezone }).startOf('day');
  for (let offset = 0; offset <= 7; offset++) {
    const day = today.plus({ days: offset });
    if (!hours.workingDays.includes(day.weekday)) continue;
    const window = windowOn(day, hours);
    if (window.end > at) return window;
  }
  throw new Error('an account works on at least one weekday');
}

export const isInsideWindow = (window: Window, at: Date): boolean => window.start <= at && at < window.end;

/** The account's local calendar day of `at` (YYYY-MM-DD): the unit of daily caps. */
export function localDay(timezone: string, at: Date): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toISODate()!;
}
