import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../core/clock';
import { SandboxHttpError, sandboxErrors } from './sandbox-errors';
import type { HttpFault, SandboxFaults } from './sandbox-faults';
import type { LinkedInSimulation } from './sandbox-linkedin';
import type { ResolvedSandboxOptions } from './sandbox-options';
import type { EventQueue } from '../../../core/time/event-queue';
import type { SandboxStore } from './sandbox-store';
import type { WebhookDispatcher } from './sandbox-webhooks';

/** One API call as the sandbox saw it (admin inspection). Times are sandbox-clock times. */
export type RequestLogEntry = {
  seq: number;
  at: string;
  method: string;
  route: string;
  path: string;
  accountId?: string;
  /** Media type of the request body, e.g. `multipart/form-data` (no parameters). */
  contentType?: string;
  /** The status answered (or that would have been, for a `timeout` fault); null while running, and for a `hang` fault. */
  status: number | null;
  errorType?: string;
  fault?: HttpFault['kind'];
};

export type SandboxContext = {
  store: SandboxStore;
  sim: LinkedInSimulation;
  faults: SandboxFaults;
  scheduler: EventQueue;
  webhooks: WebhookDispatcher;
  clock: Clock;
  options: ResolvedSandboxOptions;
  requests: RequestLogEntry[];
  /** Aborted when the sandbox stops, releasing slow and held responses. */
  stopping: AbortSignal;
};

export type ApiResult = { status?: number; body: unknown };
export type ApiHandler = (request: FastifyRequest) => ApiResult | Promise<ApiResult>;
type Method = 'GET' | 'POST' | 'DELETE';

const JSON_TYPE = 'application/json; charset=utf-8';
/** A held (`timeout` fault) response is released at the latest after this, so nothing leaks. */
const MAX_HOLD_MS = 5 * 60_000;

/** String view of a query string (first value of repeated keys). */
export function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[key] = Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
  }
  return out;
}

/** A JSON or multipart (key/values) body as a plain record. */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body: unknown = request.body;
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : {};
}

export function fieldString(value: unknown): string | undefined {
  if (Array.isArray(value)) return fieldString(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function fieldStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldStrings);
  const single = fieldString(value);
  return single === undefined ? [] : single.split(',').map((s) => s.trim()).filter(Boolean);
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Registers a Unipile API route: request log, fault injection, Unipile error bodies. The handler
 * only expresses the behaviour of the endpoint.
 */
export function apiRoute(app: FastifyInstance, ctx: SandboxContext, method: Method, url: string, handler: ApiHandler): void {
  app.route({
    method,
    url,
    handler: async (request, reply) => {
      ctx.scheduler.runDue(); // the world is current on every call, between timer ticks too
      const accountId = fieldString(queryOf(request).account_id) ?? fieldString(bodyOf(request).account_id);
      const entry: RequestLogEntry = {
        seq: ctx.requests.length + 1,
        at: ctx.clock.now().toISOString(),
        method,
        route: url,
        path: request.url.split('?')[0],
        ...(accountId ? { accountId } : {}),
        ...(request.headers['content-type'] ? { contentType: request.headers['content-type'].split(';')[0].trim() } : {}),
        status: null,
      };
      ctx.requests.push(entry);

      const fault = ctx.faults.forCall({ method, route: url, accountId });
      if (fault) entry.fault = fault.kind;
      if (fault?.kind === 'hang') {
        // Lost on the way: nothing happens, nothing is answered, the client times out.
        await untilClientGivesUp(reply, ctx.stopping);
        return reply.code(504).header('content-type', JSON_TYPE).send(sandboxErrors.unexpected().body);
      }
      let result: ApiResult;
      const injected = fault ? faultError(fault) : null;
      if (injected) {
        result = { status: injected.body.status, body: injected.body };
      } else {
        if (fault?.kind === 'slow') await pause(fault.delayMs, ctx.stopping);
        result = await run(handler, request);
      }
      const status = result.status ?? 200;
      entry.status = status;
      if (status >= 400) entry.errorType = (result.body as { type?: string }).type;
      if (fault?.kind === 'timeout') await untilClientGivesUp(reply, ctx.stopping);
      return reply.code(status).header('content-type', JSON_TYPE).send(result.body);
    },
  });
}

async function run(handler: ApiHandler, request: FastifyRequest): Promise<ApiResult> {
  try {
    return await handler(request);
  } catch (error) {
    if (error instanceof SandboxHttpError) return { status: error.body.status, body: error.body };
    throw error;
  }
}

function faultError(fault: HttpFault): SandboxHttpError | null {
  switch (fault.kind) {
    case 'rate_limited':
      return sandboxErrors.tooManyRequests();
    case 'server_error':
      return sandboxErrors.unexpected();
    case 'unavailable':
      return sandboxErrors.serviceUnavailable();
    case 'disconnected':
      return sandboxErrors.disconnectedAccount();
    case 'error':
      return new SandboxHttpError({
        status: fault.status,
        type: fault.type,
        title: fault.title ?? 'Injected error',
        ...(fault.detail ? { detail: fault.detail } : {}),
      });
    case 'slow':
    case 'timeout':
    case 'hang':
      return null;
  }
}

async function pause(ms: number, stopping: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: stopping });
  } catch {
    // stopping: answer now
  }
}

/** Holds the answer until the client closes the connection (its timeout), the sandbox stops, or a cap. */
async function untilClientGivesUp(reply: FastifyReply, stopping: AbortSignal): Promise<void> {
  if (reply.raw.destroyed || stopping.aborted) return;
  const hold = new AbortController();
  const release = () => hold.abort();
  reply.raw.once('close', release);
  stopping.addEventListener('abort', release, { once: true });
  await pause(MAX_HOLD_MS, hold.signal);
  reply.raw.off('close', release);
  stopping.removeEventListener('abort', release);
}

/** Unipile's 401 for a missing or wrong X-API-KEY; admin routes have their own key. */
export function registerAuth(app: FastifyInstance, ctx: SandboxContext, apiKey: string, adminKey: string): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path.startsWith('/_sandbox')) {
      if (!sameSecret(header(request, 'x-sandbox-admin-key'), adminKey)) {
        return reply.code(401).header('content-type', JSON_TYPE).send(sandboxErrors.missingCredentials().body);
      }
      return;
    }
    if (sameSecret(header(request, 'x-api-key'), apiKey)) return;
    const body = sandboxErrors.missingCredentials().body;
    ctx.requests.push({ seq: ctx.requests.length + 1, at: ctx.clock.now().toISOString(), method: request.method, route: '', path, status: 401, errorType: body.type });
    return reply.code(401).header('content-type', JSON_TYPE).send(body);
  });
}

/** Fastify's own failures (bad JSON, bad multipart, unknown route) in Unipile's error envelope. */
export function registerErrorHandlers(app: FastifyInstance, ctx: SandboxContext): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).header('content-type', JSON_TYPE).send(sandboxErrors.routeNotFound(request.method, request.url.split('?')[0]).body);
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode ?? 500;
    const body =
      status === 415
        ? { status, type: 'errors/unsupported_media_type', title: 'Unsupported media type' }
        : status >= 400 && status < 500
          ? { status: 400, type: 'errors/malformed_request', title: 'Malformed request', detail: error.message }
          : sandboxErrors.unexpected().body;
    if (body.status >= 500) ctx.options.logger?.error({ err: error }, 'sandbox route failed');
    reply.code(body.status).header('content-type', JSON_TYPE).send(body);
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
