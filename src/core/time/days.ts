// Calendar arithmetic on local days written YYYY-MM-DD: plain date maths on UTC midnights (no
// zone, no luxon), cheap enough for the loops of request and engine paths.

const DAY_MS = 86_400_000;

const midnight = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** YYYY-MM-DD shifted by `days` (negative: earlier). */
export function addDays(day: string, days: number): string {
  return new Date(midnight(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((midnight(to) - midnight(from)) / DAY_MS);
}
