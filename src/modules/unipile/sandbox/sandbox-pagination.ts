import { sandboxErrors } from './sandbox-errors';

// Opaque base64 cursors like Unipile's: the cursor carries the page size, the position and the
// filters of the first request, so later pages ignore any other query parameter (as Unipile does).

export type PageWindow = { start: number; limit: number; filters: Record<string, string> };
export type PageBounds = { defaultLimit: number; maxLimit: number };
type RawQuery = Record<string, string | undefined>;

export const GENERIC_BOUNDS: PageBounds = { defaultLimit: 100, maxLimit: 250 };

/** Reads `cursor`/`limit` (and the named filters) from a query string. */
export function readPage(query: RawQuery, bounds: PageBounds, filterNames: readonly string[]): PageWindow {
  if (query.cursor) return decodeCursor(query.cursor);
  const limit = query.limit === undefined ? bounds.defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > bounds.maxLimit) {
    throw sandboxErrors.invalidParameters(`limit must be an integer between 1 and ${bounds.maxLimit}`);
  }
  const filters: Record<string, string> = {};
  for (const name of filterNames) {
    const value = query[name];
    if (value !== undefined && value !== '') filters[name] = value;
  }
  return { start: 0, limit, filters };
}

/** The `{ object, items, cursor }` envelope for one window of an already filtered and sorted list. */
export function pageOf<T>(object: string, all: readonly T[], window: PageWindow): { object: string; items: T[]; cursor: string | null } {
  const end = window.start + window.limit;
  const cursor = end < all.length ? encodeCursor({ ...window, start: end }) : null;
  return { object, items: all.slice(window.start, end), cursor };
}

function encodeCursor(window: PageWindow): string {
  return Buffer.from(JSON.stringify({ s: window.start, l: window.limit, f: window.filters })).toString('base64');
}

function decodeCursor(cursor: string): PageWindow {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (isCursor(parsed)) return { start: parsed.s, limit: parsed.l, filters: parsed.f };
  } catch {
    // fall through: anything unreadable is an invalid cursor
  }
  throw sandboxErrors.invalidParameters('cursor is invalid');
}

function isCursor(value: unknown): value is { s: number; l: number; f: Record<string, string> } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isInteger(v.s) && Number.isInteger(v.l) && typeof v.f === 'object' && v.f !== null;
}
