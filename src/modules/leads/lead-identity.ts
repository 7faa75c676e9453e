// How a person is identified on LinkedIn: the public identifier (the slug of
// linkedin.com/in/<slug>, case-insensitive, stored lower-cased) and/or the member id (ACoAA…).

const PROFILE_URL = /^(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/in\/([^/?#\s]+)\/?(?:[?#].*)?$/i;
const PUBLIC_IDENTIFIER = /^[\p{L}\p{N}_.%-]{3,100}$/u;
const PROVIDER_ID = /^[A-Za-z0-9_-]{8,100}$/;

/** A slug or profile URL → the lower-cased public identifier; undefined when it is neither. */
export function normalizePublicIdentifier(input: string): string | undefined {
  const trimmed = input.trim();
  const slug = PROFILE_URL.exec(trimmed)?.[1] ?? trimmed;
  let decoded: string;
  try {
    decoded = decodeURIComponent(slug);
  } catch {
    return undefined;
  }
  const normalized = decoded.toLowerCase();
  return PUBLIC_IDENTIFIER.test(normalized) && !normalized.includes('/') ? normalized : undefined;
}

export function normalizeProviderId(input: string): string | undefined {
  const trimmed = input.trim();
  return PROVIDER_ID.test(trimmed) ? trimmed : undefined;
}

export type PersonKeys = { publicIdentifier: string | null; providerId: string | null };

/** Keys under which two records are the same person (either identifier matching is enough). */
export function personKeys(p: PersonKeys): string[] {
  const keys: string[] = [];
  if (p.publicIdentifier) keys.push(`pub:${p.publicIdentifier}`);
  if (p.providerId) keys.push(`mid:${p.providerId}`);
  return keys;
}
