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

/** Postgres and socket error codes that mean "the database is not reachable right now". */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
/** Postgres rejected the text itself (a \u0000 in JSON, an invalid byte sequence): the input's fault. */
const BAD_TEXT = new Set(['22P05', '22021']);

type CodedError = { code?: unknown; driverError?: { code?: unknown }; message?: unknown };

function codeOf(error: unknown): string | undefined {
  const e = error as CodedError | null;
  const code = e?.code ?? e?.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code && UNAVAILABLE.has(code)) return true;
  const message = String((error as CodedError | null)?.message ?? '');
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

export function isUnstorableText(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && BAD_TEXT.has(code);
}
