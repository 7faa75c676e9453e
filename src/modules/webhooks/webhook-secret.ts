import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The header our webhook registrations ask Unipile to send. Unipile v1 has no payload signature
 * (no HMAC, timestamp or replay protection): a static custom header is the only mechanism.
 */
export const WEBHOOK_SECRET_HEADER = 'Unipile-Auth';

/** Constant-time comparison; hashing first makes lengths equal, so the length leaks nothing either. */
export function secretMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
