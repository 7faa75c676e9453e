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

/** JSON lines to stdout, or to `destination` (tests capture what would be logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  // Inside a job handler every line carries the job's id and name.
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, mixin: () => jobLogContext.getStore() ?? {} };
  return destination ? pino(options, destination) : pino(options);
}
