import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
