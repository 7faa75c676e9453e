// A small seeded PRNG (mulberry32 over an FNV-1a hash of the seed) so the same seed gives the same
// profiles, ids and simulated decisions. Independent streams keep, e.g., fault rolls from shifting
// which invitations get accepted.

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export type Range = { min: number; max: number };

export class SeededRandom {
  private state: number;

  constructor(seed: string) {
    this.state = fnv1a(seed);
  }

  /** A separate deterministic stream derived from a seed and a name. */
  static stream(seed: string, name: string): SeededRandom {
    return new SeededRandom(`${seed}:${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return probability >= 1 || (probability > 0 && this.next() < probability);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  between(range: Range): number {
    return range.max <= range.min ? range.min : this.int(range.min, range.max);
  }

  chars(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** A Unipile-style id: 22 URL-safe base64 characters. */
  unipileId(): string {
    return this.chars(22, BASE64URL);
  }

  /** A classic LinkedIn member id (`ACoAA…`). */
  memberId(): string {
    return `ACoAA${this.chars(34, BASE64URL)}`;
  }

  /** A LinkedIn-style numeric id (invitations, member urns). */
  digits(length: number): string {
    return String(this.int(1, 9)) + this.chars(length - 1, '0123456789');
  }

  /** A LinkedIn thread or message id (`2-<base64>`). */
  threadId(): string {
    return `2-${this.chars(40, ALNUM)}==`;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
