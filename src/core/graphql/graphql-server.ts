import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ExecutionArgs, GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { ForbiddenError } from '../errors';
import type { AppMetrics } from '../http/metrics';
import { graphqlMetricsPlugin } from '../http/metrics-graphql';
import type { Logger } from '../logger';
import type { GraphQLContext } from './context';
import { createErrorFormatter, withRequestLog } from './format-error';
import { graphiqlPage, registerGraphiQLAssets, wantsGraphiQL } from './graphiql';
import { mayIntrospect, maySeeSuggestions, usesIntrospection, withoutSuggestions } from './introspection';
import { type OperationLimits, nulInputPlugin, operationLimitsPlugin, requestError, wsOperationPreparer } from './limits';
import { sharedSubscribe } from './shared-subscribe';
import { WS_MAX_PAYLOAD_BYTES, acceptUpgrades, clientAddress } from './ws-upgrade';
import type { Viewer } from './viewer';
import { RequestLoaders } from './loaders';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHQL_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export type GraphQLServerDeps = {
  schema: GraphQLSchema;
  log: Logger;
  isProduction: boolean;
  /** Token, depth and cost limits, for HTTP and WebSocket operations alike. */
  limits: OperationLimits;
  metrics?: AppMetrics;
  /** How often each WebSocket is pinged; one that has not answered by the next ping is dropped. */
  keepAliveMs?: number;
  /** Open WebSockets per client address (WS_MAX_CONNECTIONS_PER_CLIENT); more are refused with 429. */
  maxConnectionsPerClient: number;
  /** The client address of an upgrade comes from X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean;
  /** Revoked sessions: the sockets of their tokens are closed with 4403 as soon as a revocation is heard. */
  sessions?: SessionGate;
  /** Builds a request's context from the raw Authorization value (header or connectionParams). */
  createContext(authorization: unknown, requestId: string, clientIp?: string): Promise<GraphQLContext>;
};

/** What the WebSocket side needs to know of revocations (SessionRevocations in modules/auth). */
export type SessionGate = { isRevoked(viewer: Viewer): boolean; onRevoked(listener: () => void): () => void };

export type GraphQLServer = { close(): Promise<void> };

/**
 * Apollo over HTTP and graphql-ws over WebSocket, both on /graphql of the Fastify server, plus
 * GraphiQL for browsers. close() drains both: HTTP requests in flight finish, sockets are closed.
 */
export async function mountGraphQL(app: FastifyInstance, deps: GraphQLServerDeps): Promise<GraphQLServer> {
  const formatError = createErrorFormatter(deps.log);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  const wsServer = useGraphQLWebSocket(wss, deps, formatError);
  const stopUpgrades = acceptUpgrades(app.server, wss, {
    path: GRAPHQL_PATH,
    maxPerClient: deps.maxConnectionsPerClient,
    trustProxy: deps.trustProxy ?? false,
    onRefused: () => deps.metrics?.wsConnectionsTotal.inc({ outcome: 'refused' }),
    onProtocolError: (err) => deps.log.debug({ code: err.code }, 'WebSocket frame refused; socket closed'),
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    formatError,
    introspection: true, // gated per request by schemaDetailsGuard
    // A document of more tokens is refused while it is parsed (400 GRAPHQL_PARSE_FAILED).
    parseOptions: { maxTokens: deps.limits.maxTokens },
    // One operation per request: a JSON array body is refused (400), so limits cannot be multiplied.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM: Apollo's own handler would stop the server and re-send the
    // signal, which the second-signal guard turns into an immediate exit 1 without draining.
    stopOnTerminationSignals: false,
    plugins: [
      // No cache hints are used; Apollo's default cache-control plugin would otherwise wrap every
      // field resolver and run a hook per resolved field.
      ApolloServerPluginCacheControlDisabled(),
      fastifyApolloDrainPlugin(app),
      schemaDetailsGuard(deps.isProduction),
      nulInputPlugin(),
      operationLimitsPlugin(deps.schema, deps.limits),
      ...(deps.metrics ? [graphqlMetricsPlugin<GraphQLContext>(deps.metrics)] : []),
      { serverWillStart: async () => ({ drainServer: async () => wsServer.dispose() }) },
    ],
  });
  await apollo.start();

  registerGraphiQLAssets(app);
  const page = graphiqlPage({ requireAdmin: deps.isProduction });
  const handler = fastifyApolloHandler(apollo, {
    context: async (request: FastifyRequest) => deps.createContext(request.headers.authorization, String(request.id), request.ip),
  });
  app.route({
    url: GRAPHQL_PATH,
    method: ['GET', 'POST', 'OPTIONS'],
    // Larger than the 1 MiB default: importLeadsCsv carries up to 20,000 rows of CSV.
    bodyLimit: GRAPHQL_BODY_LIMIT_BYTES,
    handler(request, reply) {
      if (request.method === 'GET' && wantsGraphiQL(request.headers.accept, request.query)) {
        return reply.type('text/html; charset=utf-8').send(page);
      }
      // Errors logged while answering carry the request's reqId.
      return withRequestLog(request.log as Logger, () =>
        handler.call(this, request as Parameters<typeof handler>[0], reply as Parameters<typeof handler>[1]),
      );
    },
  });

  return {
    async close() {
      stopUpgrades();
      await apollo.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

// In production only admins may introspect (and so use GraphiQL's docs and autocompletion), and
// "Did you mean …?" suggestions go only to signed-in callers who may introspect (introspection.ts).
function schemaDetailsGuard(isProduction: boolean): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (mayIntrospect(contextValue.viewer, isProduction) || !usesIntrospection(document)) return;
          // With an HTTP status: Apollo answers 500 for plugin errors that carry none.
          throw requestError(introspectionForbidden());
        },
        // Every error of the request passes here before it is formatted (parse, validation,
        // variable coercion, execution), so the messages are trimmed in place.
        async didEncounterErrors({ errors, contextValue }) {
          if (maySeeSuggestions(contextValue.viewer, isProduction)) return;
          for (const error of errors) error.message = withoutSuggestions(error.message);
        },
      };
    },
  };
}

const introspectionForbidden = () => new ForbiddenError('Introspection requires an admin token');

type SocketExtra = { socket: WebSocket; request: IncomingMessage };

/**
 * graphql-ws pings each socket on its own timer (from its connection, so pings are spread over the
 * interval) and terminates one that has not answered within the interval.
 */
const KEEP_ALIVE_MS = 30_000;

/** The close code of a socket whose session ends: its token expired, or was revoked (its user changed, deactivated, deleted). */
export const WS_CLOSE_SESSION_ENDED = 4403;

function useGraphQLWebSocket(wss: WebSocketServer, deps: GraphQLServerDeps, formatError: ReturnType<typeof createErrorFormatter>) {
  const contexts = new WeakMap<WebSocket, GraphQLContext>();
  const expiryTimers = new WeakMap<WebSocket, NodeJS.Timeout>();
  // Authenticated sockets with the Authorization they came with: the open-connections gauge
  // counts only what onConnect accepted, revocations are matched against them, and every new
  // operation re-checks the token.
  const openSockets = new Map<WebSocket, { authorization: unknown; clientIp: string }>();
  let connections = 0;
  const prepareOperation = wsOperationPreparer(deps.schema, deps.limits);
  // As over HTTP: logged with the connection's reqId, suggestions only for those who may see them.
  const formatErrors = (socket: WebSocket, errors: readonly GraphQLError[]) => {
    const context = contexts.get(socket);
    const suggestions = maySeeSuggestions(context?.viewer, deps.isProduction);
    return withRequestLog(context?.log ?? deps.log, () =>
      errors.map((e) => {
        const formatted = formatError(e.toJSON(), e);
        return suggestions ? formatted : { ...formatted, message: withoutSuggestions(formatted.message) };
      }),
    );
  };
  const endSession = (socket: WebSocket) => socket.close(WS_CLOSE_SESSION_ENDED, 'Session revoked');
  deps.sessions?.onRevoked(() => {
    for (const socket of openSockets.keys()) {
      const viewer = contexts.get(socket)?.viewer;
      if (viewer && deps.sessions!.isRevoked(viewer)) endSession(socket);
    }
  });
  // An operation over a socket whose token no longer authenticates (revoked, user deactivated or
  // changed) closes the socket instead of running.
  const recheck = async (socket: WebSocket): Promise<GraphQLError[] | undefined> => {
    const open = openSockets.get(socket);
    if (!open) return undefined;
    const fresh = await deps.createContext(open.authorization, `ws-${++connections}`, open.clientIp);
    if (fresh.viewer) return undefined;
    endSession(socket);
    return [new GraphQLError('Session revoked', { extensions: { code: 'UNAUTHENTICATED' } })];
  };
  return useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: deps.schema,
      // Parse, validate and check the limits exactly as over HTTP (introspection as well), once the session is re-checked.
      onSubscribe: async (ctx, _id, payload) => {
        const revoked = await recheck(ctx.extra.socket);
        if (revoked) return revoked;
        const prepared = prepareOperation(payload);
        if (isErrorList(prepared) || mayIntrospect(contexts.get(ctx.extra.socket)?.viewer, deps.isProduction)) return prepared;
        return usesIntrospection(prepared.document) ? [requestError(introspectionForbidden())] : prepared;
      },
      // An event reaching many subscribers of one workspace is executed once for all of them.
      subscribe: sharedSubscribe(
        (context) => {
          const viewer = (context as GraphQLContext).viewer;
          return viewer ? `${viewer.workspaceId}:${viewer.role}` : '';
        },
        deps.metrics?.wsSubscriptions,
      ),
      // One context per subscription, so DataLoader caches never outlive an operation.
      context: (ctx) => ({ ...(contexts.get(ctx.extra.socket) as GraphQLContext), loaders: new RequestLoaders() }),
      // Authenticate once per connection; a missing, invalid or revoked token closes it with 4403.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const authorization = params.Authorization ?? params.authorization ?? params.token;
        const clientIp = clientAddress(ctx.extra.request, deps.trustProxy ?? false);
        const context = await deps.createContext(authorization, `ws-${++connections}`, clientIp);
        // A revocation heard while this token was being checked is honoured here.
        if (!context.viewer || deps.sessions?.isRevoked(context.viewer) || ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
          deps.metrics?.wsConnectionsTotal.inc({ outcome: 'refused' });
          return false;
        }
        deps.metrics?.wsConnectionsTotal.inc({ outcome: 'ok' });
        deps.metrics?.wsConnections.inc();
        openSockets.set(ctx.extra.socket, { authorization, clientIp });
        contexts.set(ctx.extra.socket, context);
        // The connection lives no longer than its token.
        const ttl = context.viewer.expiresAt.getTime() - Date.now();
        const timer = setTimeout(() => ctx.extra.socket.close(WS_CLOSE_SESSION_ENDED, 'Token expired'), Math.max(0, ttl));
        timer.unref();
        expiryTimers.set(ctx.extra.socket, timer);
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(expiryTimers.get(ctx.extra.socket));
        if (openSockets.delete(ctx.extra.socket)) deps.metrics?.wsConnections.dec();
      },
      onNext: (ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatErrors(ctx.extra.socket, result.errors) } : undefined),
      onError: (ctx, _id, _payload, errors) => formatErrors(ctx.extra.socket, errors),
    },
    wss,
    deps.keepAliveMs ?? KEEP_ALIVE_MS,
  );
}

const isErrorList = (prepared: ExecutionArgs | readonly GraphQLError[]): prepared is readonly GraphQLError[] => Array.isArray(prepared);
