import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type UsageRow = { accountId: string; kind: 'invite' | 'message'; usedToday: number; capToday: number };
export type WeeklyRow = { accountId: string; invitesWeek: number; weeklyCap: number };

/**
 * The process's Prometheus metrics, on a registry of its own (two apps in one test process never
 * share counters). Labels are bounded: routes are patterns, GraphQL operations are root fields,
 * accounts are ids.
 */
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP by type, first root field and outcome (ok or error)',
    labelNames: ['operation_type', 'operation', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly webhookRequests = new Counter({
    name: 'webhook_requests_total',
    help: 'Webhook deliveries received, by route and status code',
    labelNames: ['route', 'status_code'] as const,
    registers: [this.registry],
  });

  readonly webhookDuration = new Histogram({
    name: 'webhook_request_duration_seconds',
    help: 'Time to answer a webhook delivery, by route',
    labelNames: ['route'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'job_runs_total',
    help: 'Agenda job runs finished in this process, by job name and outcome (success or fail)',
    labelNames: ['name', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Agenda job run time, by job name',
    labelNames: ['name'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly unipileCalls = new Counter({
    name: 'unipile_calls_total',
    help: 'Unipile API calls (each attempt), by operation, HTTP method and outcome (ok or an error code)',
    labelNames: ['operation', 'method', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly unipileDuration = new Histogram({
    name: 'unipile_call_duration_seconds',
    help: 'Unipile API call latency, by operation',
    labelNames: ['operation'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly wsConnections = new Gauge({
    name: 'graphql_ws_connections',
    help: 'Open, authenticated graphql-ws (subscription) connections',
    registers: [this.registry],
  });

  readonly wsSubscriptions = new Gauge({
    name: 'graphql_ws_subscriptions',
    help: 'Open graphql-ws subscriptions, counted once their event source is attached (a live subscription then misses nothing)',
    registers: [this.registry],
  });

  readonly wsConnectionsTotal = new Counter({
    name: 'graphql_ws_connections_total',
    help: 'graphql-ws connections accepted (ok) or refused (refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Rate-ledger gauges, read from the database at each scrape (one query serves all four). */
  collectUsage(read: () => Promise<{ daily: UsageRow[]; weekly: WeeklyRow[] }>): void {
    // The registry collects every metric concurrently: the first gauge's hook starts the read,
    // the others share it; it is dropped once settled so the next scrape reads afresh.
    let current: Promise<{ daily: UsageRow[]; weekly: WeeklyRow[] }> | undefined;
    const snapshot = () => (current ??= read().finally(() => setImmediate(() => (current = undefined))));
    const registers = [this.registry];
    const daily = (name: string, help: string, value: (row: UsageRow) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['account_id', 'kind'] as const,
        registers,
        async collect() {
          const rows = (await snapshot()).daily;
          this.reset();
          for (const row of rows) this.set({ account_id: row.accountId, kind: row.kind }, value(row));
        },
      });
    const weekly = (name: string, help: string, value: (row: WeeklyRow) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['account_id'] as const,
        registers,
        async collect() {
          const rows = (await snapshot()).weekly;
          this.reset();
          for (const row of rows) this.set({ account_id: row.accountId }, value(row));
        },
      });
    daily('outreach_sends_today', "Sends reserved in the rate ledger on the account's current local day, by account and kind", (r) => r.usedToday);
    daily('outreach_cap_today', "The account's daily cap on its current local day (warm-up included), by account and kind", (r) => r.capToday);
    weekly('outreach_invites_week', 'Invites over the 7 local days ending today, by account', (r) => r.invitesWeek);
    weekly('outreach_weekly_invite_cap', "The account's rolling 7-day invite cap", (r) => r.weeklyCap);
  }
}

/** Times every response by route pattern; deliveries under /api/webhooks also count as webhook ingest. */
export function instrumentHttp(app: FastifyInstance, metrics: AppMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    const status = String(reply.statusCode);
    metrics.httpDuration.observe({ method: request.method, route, status_code: status }, seconds);
    if (route.startsWith('/api/webhooks/')) {
      metrics.webhookRequests.inc({ route, status_code: status });
      metrics.webhookDuration.observe({ route }, seconds);
    }
  });
}

/**
 * GET /metrics in the Prometheus text format. With a token, scrapers must send
 * `Authorization: Bearer <token>`; without one, bind the port privately (see README).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: AppMetrics, token: string | undefined): void {
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHENTICATED', message: 'Metrics need the METRICS_TOKEN bearer token' });
    }
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  // Constant time over equal lengths; a length mismatch is refused without comparing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
