import { Writable } from 'node:stream';
import pino from 'pino';
import { VirtualClock } from '../../../src/core/clock';
import { UnipileClient, type UnipileClientOptions } from '../../../src/modules/unipile/unipile.client';
import { startUnipileSandbox, type UnipileSandbox } from '../../../src/modules/unipile/sandbox/sandbox';
import type { SandboxOptions } from '../../../src/modules/unipile/sandbox/sandbox-options';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A sandbox on a VirtualClock, with fast webhook retries and nothing simulated unless asked. */
export function startTestSandbox(opts: SandboxOptions = {}): Promise<UnipileSandbox> {
  return startUnipileSandbox({
    seed: 'test',
    clock: new VirtualClock('2026-03-02T09:00:00.000Z'),
    profiles: 40,
    acceptance: { probability: 0 },
    reply: { probability: 0 },
    webhooks: { retryDelaysMs: [10, 20, 30, 40, 50], timeoutMs: 2_000, reorderHoldMs: 2_000 },
    ...opts,
  });
}

export function clientFor(sandbox: UnipileSandbox, opts: Partial<UnipileClientOptions> = {}): UnipileClient {
  return new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 2_000, retry: { limit: 2, baseDelayMs: 5 }, ...opts });
}

export function virtualClock(sandbox: UnipileSandbox): VirtualClock {
  if (!(sandbox.clock instanceof VirtualClock)) throw new Error('test sandbox must run on a VirtualClock');
  return sandbox.clock;
}

/** Calls the admin surface over HTTP, as an operator or another process would. */
export async function admin<T = unknown>(sandbox: UnipileSandbox, method: string, path: string, body?: unknown, key = sandbox.adminKey) {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: { 'x-sandbox-admin-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A raw API call, to check exact status codes and bodies the client hides. */
export async function api(sandbox: UnipileSandbox, method: string, path: string, init: { json?: unknown; form?: FormData; key?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.key !== null) headers['X-API-KEY'] = init.key ?? sandbox.apiKey;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.url}/api/v1${path}`, {
    method,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.form,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

/** A pino logger writing into a string, to prove what never gets logged. */
export function capturingLogger() {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), output: () => output };
}
