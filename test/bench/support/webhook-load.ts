import { randomBytes, randomUUID } from 'node:crypto';
import type { Client as Pg } from 'pg';
import { messageReceived } from '../../webhooks/support/unipile-payloads';

// autocannon 8 ships no types: the part of its API the webhook benchmark uses.
type Request = { method: string; path: string; headers: Record<string, string>; body?: string };
type Histogram = { p50: number; p99: number; average: number; max: number };
export type AutocannonResult = { latency: Histogram; duration: number; non2xx: number; errors: number; timeouts: number; '2xx': number; statusCodeStats: Record<string, { count: number }> };
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<Request & { setupRequest(req: Request): Request; onResponse(status: number, body: string): void }>;
}) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

export type Load = AutocannonResult & {
  /** The eventId of every 200 answer: each must name a stored row. */
  answeredIds: string[];
  perSecond: number;
};

/**
 * A captured message_received body (one sender account, a sender who is not a lead) with a unique
 * message id per request: a counter spliced into a prebuilt string, so the load generator spends
 * its CPU on sending, not on JSON.stringify.
 */
export function messageBodies(accountId: string, ownerProviderId: string): () => string {
  const [before, after] = JSON.stringify(
    messageReceived({ accountId, ownerProviderId, senderProviderId: 'ACoAABenchSenderNotALead', messageId: '@@ID@@', chatId: 'bench-chat' }),
  ).split('@@ID@@');
  const run = randomBytes(4).toString('hex');
  let next = 0;
  return () => `${before}bench-${run}-${next++}${after}`;
}

/** POSTs a fresh body per request on `connections` keep-alive connections for `seconds`. */
export async function postLoad(opts: { url: string; headers: Record<string, string>; body: () => string; seconds: number; connections: number }): Promise<Load> {
  const answeredIds: string[] = [];
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [
      {
        method: 'POST',
        path: new URL(opts.url).pathname,
        headers: opts.headers,
        setupRequest: (req) => {
          req.body = opts.body();
          return req;
        },
        onResponse: (status, body) => {
          const id = status === 200 ? /"eventId":"(\d+)"/.exec(body)?.[1] : undefined;
          if (id) answeredIds.push(id);
        },
      },
    ],
  });
  return { ...result, answeredIds, perSecond: result['2xx'] / result.duration };
}

/** One workspace with one sender account (direct SQL): the account the deliveries are for. */
export async function seedAccount(pg: Pg): Promise<{ unipileAccountId: string; ownerProviderId: string }> {
  const workspace = randomUUID();
  const unipileAccountId = `benchacct${randomBytes(6).toString('hex')}`;
  const ownerProviderId = `ACoAAOwner${randomBytes(6).toString('hex')}`;
  await pg.query(`INSERT INTO workspace (id, name) VALUES ($1, 'bench')`, [workspace]);
  await pg.query(`INSERT INTO linkedin_account (id, workspace_id, unipile_account_id, owner_provider_id, display_name) VALUES ($1, $2, $3, $4, 'Bench')`, [
    randomUUID(),
    workspace,
    unipileAccountId,
    ownerProviderId,
  ]);
  return { unipileAccountId, ownerProviderId };
}
