import { randomBytes } from 'node:crypto';

/** A signing secret for a new outbound webhook: 256 random bits. */
export const generateSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** The last 4 characters, enough to tell two secrets apart, never enough to use one. */
export function maskSecret(secret: string | null): string | null {
  if (!secret) return null;
  const tail = secret.length > 12 ? secret.slice(-4) : '';
  return `…${tail}`;
}

/** A Slack webhook URL reduced to its host and last 4 characters (the path is the credential). */
export function maskUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    return `${new URL(url).origin}/${maskSecret(url)}`;
  } catch {
    return maskSecret(url);
  }
}

/** A webhook endpoint without user info or query string, which may carry credentials. */
export function displayUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return null;
  }
}
