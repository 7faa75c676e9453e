import { waitFor } from './polling';

// A server's Prometheus metrics (GET /metrics), read as a scraper reads them: what a test waits on
// when nothing in the API tells it that a server-side step has happened. Test servers serve
// /metrics without a token (outside production, or METRICS_PUBLIC).

type Sample = { name: string; labels: Record<string, string>; value: number };

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels` (0 when there is none yet). */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`${baseUrl}/metrics answered ${res.status}`);
  return parse(await res.text())
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * Waits until the server holds exactly `count` open graphql-ws subscriptions. graphql-ws
 * acknowledges a connection, not a subscription, and a live subscription misses what is published
 * before its source is attached; the server's graphql_ws_subscriptions gauge counts a subscription
 * from that moment. Exactly, not at least: a test waits for 0 before the next one opens its own,
 * so a subscription of an earlier test that closes late cannot stand in for a new one.
 */
export async function waitForSubscriptions(baseUrl: string, count: number, timeoutMs = 10_000): Promise<void> {
  let open = Number.NaN;
  await waitFor(async () => (open = await metricValue(baseUrl, 'graphql_ws_subscriptions')) === count, timeoutMs, `${count} open subscription(s) on ${baseUrl}`).catch(
    (error: Error) => {
      throw new Error(`${error.message} (${open} open)`);
    },
  );
}
