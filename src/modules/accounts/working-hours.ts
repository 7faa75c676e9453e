// Working hours are local wall-clock times in the account's IANA zone, so they follow DST.

const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** "09:30" → 570; undefined when malformed. "24:00" is allowed as an end of day. */
export function parseMinuteOfDay(value: string): number | undefined {
  const match = HH_MM.exec(value);
  if (!match) return undefined;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  return minute <= 24 * 60 ? minute : undefined;
}

export function formatMinuteOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
