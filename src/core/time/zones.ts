import { IANAZone } from 'luxon';

/** True for an IANA time zone name (Europe/Paris, UTC), as account working hours and analytics days use. */
export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);
