import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../logger';

const BODY_LIMIT_BYTES = 1024 * 1024;

/** The Fastify app every route mounts on; each request gets an id (or keeps a caller's x-request-id). */
export function createHttpServer(log: Logger, opts: { trustProxy?: boolean } = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: log,
    // Only behind a proxy that sets X-Forwarded-For: request.ip then names the real client.
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }) as unknown as FastifyInstance;
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'NOT_FOUND', message: `No route for ${request.method} ${request.url}` });
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error in HTTP route');
    reply.code(status).send({
      error: status === 500 ? 'INTERNAL_SERVER_ERROR' : (error.code ?? 'BAD_REQUEST'),
      message: status === 500 ? 'Internal server error' : error.message,
    });
  });
  return app;
}
