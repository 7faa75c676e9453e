import pino, { type DestinationStream, type Logger } from 'pino';
import { jobLogContext } from './jobs/job-log-context';

export type { Logger };

// Secrets, tokens and message bodies never reach the log, whatever a caller passes in.
const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["unipile-auth"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'text',
  '*.text',
  'body',
  '*.body',
];

// Longest message, stack or SQL text logged for one error: a value echoed into a message can be
// megabytes (a CSV import), and one line must not flood the log.
const MAX_ERROR_TEXT = 2_000;

/**
 * pino's error serializer, minus what can carry the caller's data in bulk. A failed SQL statement
 * (TypeORM's QueryFailedError) is logged with its (cut) text and the number of its parameters, not
 * their values, nor Postgres's echoes of them (`detail`: "Key (email)=(…)", `where`: "portal
 * parameter $1 = '…'") nor the driver's copy of it all (`driverError`).
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  // Not error-like: returned as given, which is the caller's object and stays untouched.
  return serialized === error ? error : scrub(serialized as unknown as Record<string, unknown>);
}

function scrub(err: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(err.parameters)) err.parameterCount = err.parameters.length;
  for (const key of ['parameters', 'detail', 'where', 'driverError']) delete err[key];
  for (const key of ['message', 'stack', 'query']) {
    const text = err[key];
    if (typeof text === 'string' && text.length > MAX_ERROR_TEXT) err[key] = `${text.slice(0, MAX_ERROR_TEXT)}… [${text.length} characters]`;
  }
  // Errors nested in this one (graphql's originalError, AggregateError's errors) were serialized
  // alike (same prototype: the serializer's own objects, never the caller's).
  const isSerialized = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.getPrototypeOf(err);
  for (const value of Object.values(err)) {
    if (isSerialized(value)) scrub(value);
    else if (Array.isArray(value)) value.filter(isSerialized).forEach(scrub);
  }
  return err;
}

/** JSON lines to stdout, or to `destination` (tests capture what would be logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  // Inside a job handler every line carries the job's id and name.
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    mixin: () => jobLogContext.getStore() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}
