import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type WebhookIngestService, WEBHOOK_ROUTES, type WebhookRoute } from './webhook-ingest.service';
import { parseWebhook } from './webhook-payloads';
import { WEBHOOK_SECRET_HEADER, secretMatches } from './webhook-secret';
import { isDatabaseUnavailable, isUnstorableText } from '../../core/db/errors';

export type WebhookRouteOptions = {
  ingest: WebhookIngestService;
  /** When set, every delivery must carry it in the Unipile-Auth header. */
  secret?: string;
  /** The service's log level (LOG_LEVEL). */
  logLevel?: string;
};

/**
 * `POST /api/webhooks/unipile/{messaging,users,account-status}`: check the secret → parse and
 * validate the raw body → store once → queue → 200. In their own plugin scope, so the raw-string
 * body parser (any content type, or none: API-registered webhooks send none) applies only here.
 */
export async function registerWebhookRoutes(http: FastifyInstance, opts: WebhookRouteOptions): Promise<void> {
  await http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      if (error.statusCode === 413) return reply.code(413).send({ error: 'PAYLOAD_TOO_LARGE', message: error.message });
      if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
      if (isUnstorableText(error)) return reply.code(400).send({ error: 'INVALID_PAYLOAD', message: 'The body holds text Postgres cannot store (such as \\u0000)' });
      if (isDatabaseUnavailable(error)) {
        // Unipile retries a failed delivery: tell it (and the proxy) that this is temporary.
        request.log.warn({ err: error }, 'webhook refused: the database is unavailable');
        return reply.code(503).header('retry-after', '5').send({ error: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable; retry later' });
      }
      request.log.error({ err: error }, 'webhook ingest failed');
      return reply.code(500).send({ error: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    });
    // Each delivery is on record in webhook_event (received, processed, outcome); its request lines
    // are logged only at debug and trace, not at info: under load they would cost as much as storing it.
    const logLevel = opts.logLevel === 'debug' || opts.logLevel === 'trace' ? opts.logLevel : 'warn';
    for (const route of Object.keys(WEBHOOK_ROUTES) as WebhookRoute[]) {
      scope.post(`/api/webhooks/unipile/${route}`, { logLevel }, (request, reply) => receive(opts, route, request, reply));
    }
  });
}

async function receive(opts: WebhookRouteOptions, route: WebhookRoute, request: FastifyRequest, reply: FastifyReply) {
  if (opts.secret !== undefined && !secretMatches(opts.secret, request.headers[WEBHOOK_SECRET_HEADER.toLowerCase()])) {
    return reply.code(401).send({ error: 'UNAUTHENTICATED', message: `Missing or wrong ${WEBHOOK_SECRET_HEADER} header` });
  }
  const parsed = parseWebhook(typeof request.body === 'string' ? request.body : undefined);
  if (!parsed.ok) return reply.code(400).send({ error: parsed.error.code, message: parsed.error.message });
  const result = await opts.ingest.ingest(parsed.webhook, route);
  // Exactly 200: Unipile retries anything else.
  return reply.code(200).send({ status: result.duplicate ? 'duplicate' : 'stored', eventId: result.eventId });
}
