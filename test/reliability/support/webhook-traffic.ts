import { type PostResult, postWebhook } from '../../webhooks/support/unipile-payloads';

// Unipile-like webhook traffic for the duplicate-delivery suite: every delivery several times, in a
// seeded shuffled order, several requests in flight at once.

export type Delivery = {
  /** Which distinct event this is a copy of. */
  key: string;
  route: 'messaging' | 'users' | 'account-status';
  body: unknown;
};

export type DeliveryResult = Delivery & PostResult;

/** Deterministic [0, 1) numbers from a seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded generator. */
export function seededShuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Each delivery `copies` times (the same bytes), all shuffled together. */
export function multiply(deliveries: Delivery[], copies: number, random: () => number): Delivery[] {
  return seededShuffle(
    deliveries.flatMap((d) => Array.from({ length: copies }, () => d)),
    random,
  );
}

/** POSTs every delivery in order with `concurrency` requests in flight; a transport error counts as status 0. */
export async function deliverConcurrently(
  baseUrl: string,
  deliveries: Delivery[],
  opts: { concurrency: number; headers: Record<string, string> },
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = new Array(deliveries.length);
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const i = next++;
      const d = deliveries[i];
      try {
        results[i] = { ...d, ...(await postWebhook(baseUrl, d.route, d.body, opts.headers)) };
      } catch (error) {
        results[i] = { ...d, status: 0, body: { error: String(error) } };
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return results;
}
