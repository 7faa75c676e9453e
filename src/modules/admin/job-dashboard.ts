import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { Agenda } from 'agenda';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../core/errors';
import { type AuthService, bearerToken, type TokenService } from '../auth';
import type { Viewer } from '../../core/graphql/viewer';
import type { Actor, AuditLogService } from './audit-log.service';
import { JobDashboardSessions, SESSION_COOKIE, SESSION_COOKIE_OPTIONS, SESSION_PATH } from './job-dashboard-session';
import { SIGN_IN_CSP, SIGN_IN_HTML, SIGN_IN_JS } from './job-dashboard-sign-in';
import { JobDashboardService, parseCreate, parseListQuery } from './job-dashboard.service';

export const JOB_DASHBOARD_PATH = SESSION_PATH;

export type JobDashboardDeps = {
  agenda: Agenda;
  auth: AuthService;
  tokens: TokenService;
  audit: AuditLogService;
  jwt: { secret: string; issuer: string };
  jobStore: 'postgres' | 'mongodb';
  /** Whether this process runs jobs (ROLE=all): only then has its processor stats. */
  workerRunning: boolean;
};

// agendash's own CSP for its bundle (agendash/dist/csp.js), plus no framing, plugins or base rewriting.
const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
const STATUS_BY_CODE: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };
const MUTATIONS = ['requeue', 'retry', 'delete', 'create', 'pause', 'resume'] as const;

/**
 * Agendash 8's dashboard at /admin/jobs/, for instance operators (jobs are instance-wide: their
 * data names rows of every workspace, and retrying or deleting one acts for every tenant).
 *
 * The UI is agendash's prebuilt bundle (node_modules/agendash/public); its JSON API is served by
 * JobDashboardService rather than agendash's createFastifyPlugin, because the package's one entry
 * point statically imports express (an optional peer we do not install), so `import 'agendash'`
 * fails, and its routes take unchecked input and have no hook for auth or audit.
 *
 * Auth: every request needs an operator, either as `Authorization: Bearer <token>` (scripts) or as
 * the session cookie POST /admin/jobs/session sets for a browser (HttpOnly, SameSite=Strict,
 * Path=/admin/jobs, 30 min at most). Changes (POST) must be JSON and, with the cookie, same-origin
 * (Sec-Fetch-Site), and are written to audit_log.
 */
export async function registerJobDashboard(app: FastifyInstance, deps: JobDashboardDeps): Promise<void> {
  const publicDir = join(dirname(require.resolve('agendash')), '..', 'public');
  const indexHtml = readFileSync(join(publicDir, 'index.html'), 'utf8');
  const sessions = new JobDashboardSessions(deps.auth, { jwtSecret: deps.jwt.secret, issuer: deps.jwt.issuer });
  const service = new JobDashboardService(deps.agenda, deps.audit, deps.jobStore);
  const actors = new WeakMap<FastifyRequest, Actor>();
  const base = JOB_DASHBOARD_PATH;
  const publicRoutes = new Set([`${base}/session`, `${base}/sign-in.js`, base]);

  await app.register(async (scope) => {
    // Cookies are parsed and set in this scope only. The session value needs no cookie signature: it
    // is a JWT signed with a key of its own (JobDashboardSessions).
    await scope.register(fastifyCookie);

    scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      if (error instanceof DomainError) {
        const status = STATUS_BY_CODE[error.code];
        if (status) return reply.code(status).send({ error: error.code, message: error.message });
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, 'job dashboard request failed');
      return reply.code(status).send({
        error: status === 500 ? 'INTERNAL_SERVER_ERROR' : (error.code ?? 'BAD_REQUEST'),
        message: status === 500 ? 'Internal server error' : error.message,
      });
    });

    scope.addHook('onSend', async (request, reply) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      if (!request.url.startsWith(`${base}/assets/`)) reply.header('cache-control', 'no-store');
    });

    scope.addHook('onRequest', async (request, reply) => {
      if (publicRoutes.has(request.routeOptions.url ?? '')) return;
      const header = request.headers.authorization;
      const cookie = header === undefined ? request.cookies[SESSION_COOKIE] || undefined : undefined;
      const viewer: Viewer | undefined =
        header !== undefined ? await deps.auth.authenticate(bearerToken(header)) : cookie ? await sessions.viewer(cookie) : undefined;
      if (!viewer) {
        if (request.method === 'GET' && request.routeOptions.url === `${base}/` && wantsHtml(request)) {
          return reply.code(401).header('content-security-policy', SIGN_IN_CSP).type('text/html; charset=utf-8').send(SIGN_IN_HTML);
        }
        return reply
          .code(401)
          .send({ error: 'UNAUTHENTICATED', message: `Sign in as an instance operator: a bearer token, or the session cookie POST ${base}/session sets` });
      }
      if (!viewer.operator) {
        return reply.code(403).send({ error: 'FORBIDDEN', message: 'The jobs dashboard is for instance operators only' });
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        // CSRF: the cookie is SameSite=Strict; a change also has to come from our own origin (when
        // the browser says where it comes from) and be JSON, which no cross-site form or simple
        // request can send without a CORS preflight (and none is answered here).
        if (cookie && !sameOrigin(request)) {
          return reply.code(403).send({ error: 'FORBIDDEN', message: 'Cross-site requests are refused' });
        }
        if (!isJson(request)) {
          return reply.code(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json' });
        }
      }
      actors.set(request, { viewer, requestId: request.id });
    });
    const actor = (request: FastifyRequest): Actor => actors.get(request)!;

    // The bundle resolves `api` and `./assets` against the page's URL: it must end with a slash.
    scope.get(base, async (_request, reply) => reply.redirect('jobs/', 302));
    scope.get(`${base}/`, async (_request, reply) =>
      reply.header('content-security-policy', DASHBOARD_CSP).type('text/html; charset=utf-8').send(indexHtml),
    );
    scope.get(`${base}/sign-in.js`, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SIGN_IN_JS));
    await scope.register(fastifyStatic, {
      root: join(publicDir, 'assets'),
      prefix: `${base}/assets/`,
      decorateReply: false,
      index: false,
      dotfiles: 'deny',
      // The bundle's file names carry a content hash.
      maxAge: '1d',
      immutable: true,
    });

    // A browser session from a bearer token (sent by the sign-in page, or by hand).
    scope.post(`${base}/session`, async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearerToken(request.headers.authorization);
      const claims = token ? deps.tokens.verify(token) : undefined;
      const viewer = claims ? await deps.auth.authenticate(token) : undefined;
      if (!claims || !viewer) {
        return reply.code(401).send({ error: 'UNAUTHENTICATED', message: "Send an instance operator's bearer token in the Authorization header" });
      }
      if (!viewer.operator) {
        return reply.code(403).send({ error: 'FORBIDDEN', message: 'The jobs dashboard is for instance operators only' });
      }
      const session = await deps.audit.run({ viewer, requestId: request.id }, 'jobDashboard.session', {}, async () => sessions.issue(claims));
      const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
      return reply
        .setCookie(SESSION_COOKIE, session.token, { ...SESSION_COOKIE_OPTIONS, maxAge })
        .send({ expiresAt: session.expiresAt.toISOString() });
    });
    scope.delete(`${base}/session`, async (_request, reply) => reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS).code(204).send());

    scope.get(`${base}/api`, async (request) => service.list(parseListQuery(request.query as Record<string, unknown>)));
    for (const name of MUTATIONS) {
      scope.post(`${base}/api/jobs/${name}`, async (request) => {
        const who = actor(request);
        switch (name) {
          case 'create':
            return service.create(who, parseCreate(request.body));
          case 'requeue':
            return service.requeue(who, service.parseIds(request.body));
          case 'retry':
            return service.retry(who, service.parseIds(request.body));
          case 'delete':
            return service.delete(who, service.parseIds(request.body));
          case 'pause':
            return service.pause(who, service.parseIds(request.body));
          case 'resume':
            return service.resume(who, service.parseIds(request.body));
        }
      });
    }
    scope.get(`${base}/api/stats`, async (request, reply) => {
      if (!deps.workerRunning) {
        return reply.code(503).send({ error: 'NO_JOB_WORKER', message: 'This process runs no jobs (ROLE=api): open the dashboard on a ROLE=all process for processor stats' });
      }
      return service.stats((request.query as Record<string, unknown>).fullDetails === 'true');
    });
    // No persistent job log is configured (Agenda's JobLogger): the dashboard shows its "off" state.
    scope.get(`${base}/api/logs`, async () => ({ entries: [], total: 0, loggingEnabled: false }));
    // Live updates (SSE) are not served: a long-lived stream per open tab would hold shutdown, and an
    // API process does not receive job state anyway. The dashboard refreshes by polling instead.
    scope.get(`${base}/api/events`, async (_request, reply) =>
      reply.code(501).send({ error: 'NOT_IMPLEMENTED', message: 'Live job events are not served; the dashboard refreshes by polling' }),
    );
  });
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
}

function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}
