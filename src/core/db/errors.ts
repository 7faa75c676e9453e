import { QueryFailedError } from 'typeorm';

/** True when a statement failed on a unique constraint (Postgres 23505), optionally a named one. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (!constraint || driverError.constraint === constraint);
}

/**
 * True when Postgres refused a value's format or range (22P02 invalid text representation, e.g. an
 * id that is not a UUID; 22003 numeric out of range; 22007/22008 bad date): the caller's input.
 */
export function isInvalidInputValue(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string }).code;
  return code === '22P02' || code === '22003' || code === '22007' || code === '22008';
}
