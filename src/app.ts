import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { systemClock } from './core/clock';
import { DatabaseRepository } from './core/db/database.repository';
import { startEmbeddedPostgres } from './core/db/embedded-postgres';
import { runPendingMigrations } from './core/db/migrate';
import { ResolverContainer } from './core/graphql/container';
import { mountGraphQL } from './core/graphql/graphql-server';
import { RequestLoaders } from './core/graphql/loaders';
import { registerHealthRoutes } from './core/http/health.routes';
import { createHttpServer } from './core/http/http-server';
import { AppMetrics, instrumentHttp, registerMetricsRoute } from './core/http/metrics';
import { observeJobs } from './core/http/metrics-jobs';
import { createJobQueue, pingJobStore, type JobStore } from './core/jobs/job-queue';
import { registerJobs } from './core/jobs/register-jobs';
import { WorkspaceJobs } from './core/jobs/workspace-jobs';
import { WorkspaceJobsRepository } from './core/jobs/workspace-jobs.repository';
import { createLogger, type Logger } from './core/logger';
import { Signal } from './core/signal';
import { MODULES, buildAppSchema, createAppDataSource } from './modules';
import { authModule } from './modules/auth/auth.module';
import { bearerToken } from './modules/auth/token.service';
import { leadsModule } from './modules/leads/leads.module';
import type { AppOptions, AppRole, AppSignals, ModuleContext, ModuleDefinition, ModuleParts } from './modules/module';
import { notificationsModule } from './modules/notifications/notifications.module';
import { outreachModule } from './modules/outreach/outreach.module';
import { syncModule } from './modules/sync/sync.module';
import { unipileModule } from './modules/unipile/unipile.module';
import { webhooksModule } from './modules/webhooks/webhooks.module';

export type { AppOptions, AppRole } from './modules/module';

type Built<T extends ModuleDefinition<ModuleParts>> = T extends ModuleDefinition<infer P> ? P : never;

export type App = {
  /** http://host:port of the API, when this process serves it. */
  url?: string;
  dataSource: DataSource;
  jobs: Agenda;
  log: Logger;
  unipile: Built<typeof unipileModule>['client'];
  /** The built-in fake Unipile, when no UNIPILE_DSN is configured. */
  sandbox?: Built<typeof unipileModule>['sandbox'];
  engine: Built<typeof outreachModule>['engine'];
  leadProgress: Built<typeof leadsModule>['progress'];
  /** Webhook ingest, processing and registration. */
  webhooks: Built<typeof webhooksModule>;
  /** Historical sync, backfills and the reconciliation poll. */
  sync: Built<typeof syncModule>;
  /** Operator notifications: dispatcher, deliveries, channels and rules. */
  notifications: Built<typeof notificationsModule>;
  /** Graceful: drains HTTP and WebSocket, lets running jobs finish, closes the database. Idempotent. */
  stop(): Promise<void>;
};

/**
 * The one composition root: database, job queue, then every feature module of src/modules/index.ts
 * in order (their jobs, worker loops and routes), and for the api role the HTTP, GraphQL and
 * WebSocket server. Everything started is stopped in reverse order.
 */
export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const role = opts.role ?? config.role;
  const log = opts.log ?? createLogger(config.log.level);
  const clock = opts.clock ?? systemClock;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        log.error({ err: error }, 'error during shutdown');
      }
    }
  };

  try {
    let databaseUrl = config.db.url;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, log);
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
      log.info({ dataDir: embedded.dataDir }, 'DATABASE_URL is not set: using embedded Postgres (PGlite)');
    }
    const dataSource = createAppDataSource(databaseUrl);
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    if (config.operations.migrationsRun) {
      const applied = await runPendingMigrations(dataSource);
      if (applied.length > 0) log.info({ migrations: applied }, 'applied database migrations');
    } else {
      log.warn('MIGRATIONS_RUN=false: pending migrations are not applied at start (see migrationsStatus / runMigrations)');
    }
    if (config.isProduction) warnProductionOptOuts(config, role, log);
    const metrics = new AppMetrics();

    const store: JobStore = config.jobs.mongoUrl
      ? { kind: 'mongodb', url: config.jobs.mongoUrl }
      : { kind: 'postgres', url: databaseUrl, embedded: !config.db.url };
    const jobQueue = createJobQueue({ store, ...opts.jobs, onConnectionError: (err) => log.warn({ err }, 'job store connection lost; it is replaced') });
    const jobs = jobQueue.agenda;
    observeJobs(jobs, metrics, log);
    await jobs.ready;
    cleanups.push(() => jobQueue.close());
    log.info({ jobStore: store.kind }, 'job queue connected');

    const signals: AppSignals = { leadsDue: new Signal('leadsDue', log), replyDetected: new Signal('replyDetected', log) };
    if (opts.onReply) signals.replyDetected.on(opts.onReply);
    let url: string | undefined;
    const built = new Map<ModuleDefinition, ModuleParts>();
    const workspaceJobs = new WorkspaceJobs(jobs, new WorkspaceJobsRepository(dataSource.manager));
    const ctx: ModuleContext = {
      config,
      options: opts,
      role,
      api: role !== 'worker',
      worker: role !== 'api',
      dataSource,
      databaseUrl,
      embeddedDatabase: !config.db.url,
      clock,
      log,
      jobs,
      workspaceJobs,
      jobStore: store.kind,
      metrics,
      signals,
      url: () => url,
      onStop: (stop) => void cleanups.push(stop),
      use<T extends ModuleParts>(module: ModuleDefinition<T>): T {
        const parts = built.get(module as ModuleDefinition);
        if (!parts) throw new Error(`module ${module.name} is used before it is built: list it earlier in src/modules/index.ts`);
        return parts as T;
      },
    };
    for (const module of MODULES) built.set(module, await module.create(ctx));
    const parts = [...built.values()];
    const definitions = parts.flatMap((p) => p.jobs ?? []);
    registerJobs(jobs, definitions);
    workspaceJobs.track(definitions);

    if (ctx.worker) {
      await jobQueue.start();
      for (const p of parts) await p.startWorker?.();
      log.info({ scanEveryMs: config.engine.scanIntervalMs }, 'job worker started');
    }

    // Every process serves health and metrics; the api role also the routes, GraphQL and WebSockets.
    const http = createHttpServer(log, { trustProxy: config.operations.trustProxy });
    cleanups.push(() => http.close());
    if (ctx.api) instrumentHttp(http, metrics);
    registerMetricsRoute(http, metrics, config.operations.metricsToken);
    const database = new DatabaseRepository(dataSource.manager);
    registerHealthRoutes(http, { database: () => database.ping(), jobStore: () => pingJobStore(jobs) });
    if (ctx.api) {
      for (const p of parts) await p.routes?.(http);
      const { auth, sessions } = ctx.use(authModule);
      const container = new ResolverContainer(parts.flatMap((p) => p.resolvers ?? []));
      const graphql = await mountGraphQL(http, {
        schema: await buildAppSchema(),
        log,
        isProduction: config.isProduction,
        limits: config.security.graphql,
        metrics,
        keepAliveMs: opts.keepAliveMs,
        maxConnectionsPerClient: config.security.wsMaxConnectionsPerClient,
        trustProxy: config.operations.trustProxy,
        sessions,
        createContext: async (authorization, requestId, clientIp) => ({
          viewer: await auth.authenticate(bearerToken(authorization)),
          requestId,
          clientIp,
          // `reqId`, as on Fastify's request lines: one key to grep a request's lines by.
          log: log.child({ reqId: requestId }),
          container,
          loaders: new RequestLoaders(),
        }),
      });
      // Popped before http.close(): in-flight operations finish, sockets close with 1001.
      cleanups.push(() => graphql.close());
    }
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    url = `http://${config.http.host}:${port}`;
    if (ctx.api) {
      log.info({ url: `${url}/graphql` }, 'GraphQL API listening');
      for (const p of parts) await p.listening?.();
    } else {
      // A worker serves no API, but its health and job metrics must be reachable too.
      log.info({ url: `${url}/metrics` }, 'worker health and metrics listening');
    }

    const unipile = ctx.use(unipileModule);
    let stopping: Promise<void> | undefined;
    return {
      url,
      dataSource,
      jobs,
      log,
      unipile: unipile.client,
      sandbox: unipile.sandbox,
      engine: ctx.use(outreachModule).engine,
      leadProgress: ctx.use(leadsModule).progress,
      webhooks: ctx.use(webhooksModule),
      sync: ctx.use(syncModule),
      notifications: ctx.use(notificationsModule),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Production starts without these only when told to (config.ts); say so at every start. */
function warnProductionOptOuts(config: Config, role: AppRole, log: Logger): void {
  if (config.webhooks.secret === undefined && role !== 'worker') {
    log.warn('ALLOW_UNAUTHENTICATED_WEBHOOKS=true: webhook deliveries are accepted without UNIPILE_WEBHOOK_SECRET');
  }
  if (config.operations.metricsToken === undefined) log.warn('METRICS_PUBLIC=true: /metrics is served without METRICS_TOKEN');
}
