import type { Agenda } from 'agenda';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { type Clock, systemClock } from './core/clock';
import { createDataSource } from './core/db/data-source';
import { startEmbeddedPostgres } from './core/db/embedded-postgres';
import { runPendingMigrations } from './core/db/migrate';
import { ResolverContainer } from './core/graphql/container';
import { mountGraphQL } from './core/graphql/graphql-server';
import { RequestLoaders } from './core/graphql/loaders';
import { LiveEventFeed } from './core/pubsub/live-event-feed';
import { buildApiSchema } from './core/graphql/schema';
import { registerHealthRoutes } from './core/http/health.routes';
import { createHttpServer } from './core/http/http-server';
import { AppMetrics, instrumentHttp, registerMetricsRoute } from './core/http/metrics';
import { observeJobs } from './core/http/metrics-jobs';
import { ledgerUsageReader } from './core/http/metrics-usage';
import { AdminResolver } from './modules/admin/admin.resolver';
import { AdminService } from './modules/admin/admin.service';
import { AuditLogService } from './modules/admin/audit-log.service';
import { DebugTimingService } from './modules/admin/debug-timing.service';
import { registerJobDashboard } from './modules/admin/job-dashboard';
import { ManualMessageService } from './modules/admin/manual-message.service';
import { createJobQueue, pingJobStore, type JobStore } from './core/jobs/job-queue';
import { registerJobs } from './core/jobs/register-jobs';
import { createLogger, type Logger } from './core/logger';
import { AccountResolver } from './modules/accounts/account.resolver';
import { AccountService } from './modules/accounts/account.service';
import { AnalyticsRepository } from './modules/analytics/analytics.repository';
import { AnalyticsResolver } from './modules/analytics/analytics.resolver';
import { AnalyticsService } from './modules/analytics/analytics.service';
import { CampaignResolver } from './modules/campaigns/campaign.resolver';
import { CampaignService } from './modules/campaigns/campaign.service';
import { DoNotContactResolver } from './modules/leads/do-not-contact.resolver';
import { DoNotContactService } from './modules/leads/do-not-contact.service';
import { LeadImportService } from './modules/leads/lead-import.service';
import { LeadResolver } from './modules/leads/lead.resolver';
import { LeadProgressService } from './modules/leads/lead-progress.service';
import { LeadService } from './modules/leads/lead.service';
import { startUnipileSandbox, type UnipileSandbox } from './modules/unipile/sandbox/sandbox';
import type { SandboxOptions } from './modules/unipile/sandbox/sandbox-options';
import { UnipileClient, type UnipileClientOptions } from './modules/unipile/unipile.client';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings, type ExecutionScheduler } from './modules/outreach/engine-settings';
import { LEGACY_EXECUTE_STEP_JOB, SCAN_JOB } from './modules/outreach/jobs/outreach.jobs';
import { createOutreachEngine, type OutreachEngine } from './modules/outreach/outreach-engine';
import { SchedulerStatusService } from './modules/outreach/scheduler-status.service';
import { SchedulerResolver } from './modules/outreach/scheduler.resolver';
import { SimulationResolver } from './modules/outreach/simulation/simulation.resolver';
import { SimulationService } from './modules/outreach/simulation/simulation.service';
import { LiveResolver } from './modules/live/live.resolver';
import { LiveService } from './modules/live/live.service';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AuthService } from './modules/auth/auth.service';
import { ensureFirstAdmin } from './modules/auth/first-admin';
import { SessionRevocations } from './modules/auth/session-revocations';
import { UserAdminService } from './modules/auth/user-admin.service';
import { TokenService, bearerToken } from './modules/auth/token.service';
import { HeartbeatResolver } from './modules/system/heartbeat.resolver';
import { createNotifications, type Notifications } from './modules/notifications/notifications';
import { DEFAULT_MAX_RETRY_DELAY_MS, type NotifierSettings } from './modules/notifications/notifier-settings';
import { createSyncModule, type SyncModule } from './modules/sync/sync.module';
import type { ReplyListener } from './modules/webhooks/reply-listener';
import { registerWebhookRoutes } from './modules/webhooks/webhook.routes';
import { createWebhooksModule, type WebhooksModule } from './modules/webhooks/webhooks.module';

export type AppRole = 'all' | 'api' | 'worker';

export type AppOptions = {
  role?: AppRole;
  clock?: Clock;
  log?: Logger;
  jobs?: { processEveryMs?: number; lockLifetimeMs?: number };
  /** Where the first-admin banner goes (stdout by default). */
  print?: (text: string) => void;
  /** Overrides for the built-in sandbox (tests: a VirtualClock, faults, probabilities). */
  sandbox?: SandboxOptions;
  /** Engine tunables over the configured ones (tests: no jitter, short leases). */
  engine?: Partial<EngineSettings>;
  /** Where step executions are scheduled (default: Agenda jobs); simulations drive them themselves. */
  executionScheduler?: ExecutionScheduler;
  /** Randomness of pacing jitter (default Math.random); seeded in simulations. */
  random?: () => number;
  /** Called once per newly recorded reply (webhook or poll): the seam for subscriptions and notifications. */
  onReply?: ReplyListener;
  /** Notification tunables over the configured ones (tests: short intervals and retry delays). */
  notifications?: Partial<NotifierSettings>;
  /** WebSocket keep-alive ping interval (default 30 s; tests: short). */
  keepAliveMs?: number;
};

export type App = {
  /** http://host:port of the API, when this process serves it. */
  url?: string;
  dataSource: DataSource;
  jobs: Agenda;
  log: Logger;
  unipile: UnipileClient;
  /** The built-in fake Unipile, when no UNIPILE_DSN is configured. */
  sandbox?: UnipileSandbox;
  engine: OutreachEngine;
  leadProgress: LeadProgressService;
  /** Webhook ingest, processing and registration. */
  webhooks: WebhooksModule;
  /** Historical sync, backfills and the reconciliation poll. */
  sync: SyncModule;
  /** Operator notifications: dispatcher, deliveries, channels and rules. */
  notifications: Notifications;
  /** Graceful: drains HTTP and WebSocket, lets running jobs finish, closes the database. Idempotent. */
  stop(): Promise<void>;
};

/**
 * The one composition root: database, job queue, services, and (for the api role) the HTTP,
 * GraphQL and WebSocket server. Everything started is stopped in reverse order.
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
    const dataSource = createDataSource(databaseUrl);
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
    metrics.collectUsage(ledgerUsageReader(dataSource, clock));

    const store: JobStore = config.jobs.mongoUrl
      ? { kind: 'mongodb', url: config.jobs.mongoUrl }
      : { kind: 'postgres', url: databaseUrl, embedded: !config.db.url };
    const jobQueue = createJobQueue({ store, ...opts.jobs, onConnectionError: (err) => log.warn({ err }, 'job store connection lost; it is replaced') });
    const jobs = jobQueue.agenda;
    observeJobs(jobs, metrics, log);
    await jobs.ready;
    cleanups.push(() => jobQueue.close());
    const workerRunning = role !== 'api';
    log.info({ jobStore: store.kind }, 'job queue connected');

    const { unipile, sandbox } = await connectUnipile(config, clock, opts, log, (call) => {
      metrics.unipileCalls.inc({ operation: call.operation, method: call.method, outcome: call.outcome });
      metrics.unipileDuration.observe({ operation: call.operation }, call.ms / 1000);
    });
    if (sandbox) cleanups.push(() => sandbox.stop());

    const tokens = new TokenService({ secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer, expiresIn: config.auth.jwtExpiresIn });
    const auth = new AuthService(dataSource, tokens, clock, config.security.login);
    await ensureFirstAdmin(auth, config.auth.admin, log, opts.print);
    const engineSettings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...config.engine, ...opts.engine };
    const engine = createOutreachEngine({
      dataSource,
      clock,
      settings: engineSettings,
      unipile,
      agenda: jobs,
      log,
      executionScheduler: opts.executionScheduler,
      random: opts.random,
    });
    registerJobs(jobs, engine.jobs);
    const accounts = new AccountService(dataSource, unipile, clock);
    const campaigns = new CampaignService(dataSource, clock, engine.wake);
    const leads = new LeadService(dataSource, clock);
    const leadImports = new LeadImportService(dataSource, campaigns, clock, engine.wake);
    const doNotContact = new DoNotContactService(dataSource, clock);
    const leadProgress = new LeadProgressService(dataSource, clock, config.sync.optOutPhrases);
    const analytics = new AnalyticsService(new AnalyticsRepository(dataSource), clock);
    let url: string | undefined;
    // A new reply wakes the notification dispatcher at once (instead of at its next interval).
    const onReply: ReplyListener = async (reply) => {
      notifications.wake();
      await opts.onReply?.(reply);
    };
    const webhooks = createWebhooksModule({
      dataSource, agenda: jobs, unipile, leadProgress, analytics, clock, log, onReply, onLeadsDue: engine.wake,
      // Read when registering: the listening port is known by then.
      target: () => ({ publicUrl: config.webhooks.publicUrl ?? url ?? `http://${config.http.host}:${config.http.port}`, secret: config.webhooks.secret }),
    });
    // Stopped after HTTP (no new deliveries) and before the job queue and the database: events
    // being processed at once after their delivery finish.
    cleanups.push(() => webhooks.processor.idle());
    const sync = createSyncModule({
      dataSource, agenda: jobs, unipile, leadProgress, analytics: new AnalyticsRepository(dataSource), clock, log,
      reconcileIntervalMs: config.sync.reconcileIntervalMs, onReply,
    });
    registerJobs(jobs, [...webhooks.jobs, ...sync.jobs]);
    const notifications = createNotifications({
      dataSource,
      agenda: jobs,
      // Deliveries, retries and signature timestamps happen in real time, whatever clock the engine runs on.
      clock: systemClock,
      settings: { ...config.notifications, maxRetryDelayMs: DEFAULT_MAX_RETRY_DELAY_MS, publicUrl: config.webhooks.publicUrl, ...opts.notifications },
      log,
    });
    registerJobs(jobs, notifications.jobs);

    if (workerRunning) {
      await jobQueue.start();
      await jobs.every(config.engine.scanIntervalMs, SCAN_JOB);
      await webhooks.schedule();
      await sync.schedule();
      await notifications.schedule();
      await jobs.cancel({ name: LEGACY_EXECUTE_STEP_JOB });
      if (engine.dispatcher) {
        engine.dispatcher.start();
        // Popped before the job queue and the database close: batches being sent are recorded.
        cleanups.push(() => engine.dispatcher!.stop());
      }
      log.info({ scanEveryMs: config.engine.scanIntervalMs }, 'job worker started');
    }

    if (role !== 'worker') {
      const http = createHttpServer(log, { trustProxy: config.operations.trustProxy });
      instrumentHttp(http, metrics);
      registerMetricsRoute(http, metrics, config.operations.metricsToken);
      registerHealthRoutes(http, {
        database: () => dataSource.query('SELECT 1'),
        jobStore: () => pingJobStore(jobs),
      });
      await registerWebhookRoutes(http, { ingest: webhooks.ingest, secret: config.webhooks.secret, logLevel: config.log.level });
      if (config.operations.jobDashboard) {
        await registerJobDashboard(http, {
          agenda: jobs, dataSource, auth, tokens, audit: new AuditLogService(dataSource),
          jwt: { secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer }, jobStore: store.kind, workerRunning,
        });
      }
      // Live events for subscriptions: NOTIFY wake-ups on a real Postgres, polling on the embedded one.
      const feed = new LiveEventFeed(dataSource, { url: databaseUrl, notifications: Boolean(config.db.url), pollMs: 250, log });
      // Token revocations of every instance reach this one through the same feed (its sockets close).
      const sessions = new SessionRevocations();
      sessions.listen(feed);
      await feed.start();
      cleanups.push(() => feed.stop());
      const live = new LiveService(dataSource, feed, analytics);
      const container = new ResolverContainer([
        live,
        new LiveResolver(live),
        new AuthResolver(auth),
        new HeartbeatResolver(),
        new AccountResolver(accounts),
        new CampaignResolver(campaigns),
        new LeadResolver(leads, leadImports, campaigns, accounts),
        new DoNotContactResolver(doNotContact),
        new AnalyticsResolver(analytics),
        webhooks.resolver,
        sync.resolver,
        notifications.resolver,
        new SimulationResolver(
          new SimulationService(dataSource, campaigns, clock, engineSettings, config.sandbox, log, config.simulation),
        ),
        new SchedulerResolver(
          new SchedulerStatusService(dataSource, engine.scheduler, jobs, { role, workerRunning, jobStore: store.kind }, engine.wake),
        ),
        new AdminResolver(
          new AdminService(
            dataSource,
            new AuditLogService(dataSource),
            new DebugTimingService(dataSource, clock),
            new ManualMessageService(dataSource, unipile, clock, log),
            auth,
            new UserAdminService(dataSource, clock),
          ),
        ),
      ]);
      const graphql = await mountGraphQL(http, {
        schema: await buildApiSchema(),
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
      cleanups.push(async () => {
        await graphql.close();
        await http.close();
      });
      await http.listen({ host: config.http.host, port: config.http.port });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.http.port;
      url = `http://${config.http.host}:${port}`;
      log.info({ url: `${url}/graphql` }, 'GraphQL API listening');
      // Newcomer mode: the built-in sandbox calls this process back, so replies arrive live.
      if (sandbox && role === 'all' && config.env === 'development') {
        await webhooks.management.ensure().catch((error: unknown) => log.warn({ err: error }, 'could not register the sandbox webhooks'));
      }
    } else {
      // A worker serves no API, but its health and job metrics must be reachable too.
      const http = createHttpServer(log, { trustProxy: config.operations.trustProxy });
      registerMetricsRoute(http, metrics, config.operations.metricsToken);
      registerHealthRoutes(http, {
        database: () => dataSource.query('SELECT 1'),
        jobStore: () => pingJobStore(jobs),
      });
      cleanups.push(() => http.close());
      await http.listen({ host: config.http.host, port: config.http.port });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.http.port;
      url = `http://${config.http.host}:${port}`;
      log.info({ url: `${url}/metrics` }, 'worker health and metrics listening');
    }

    let stopping: Promise<void> | undefined;
    return { url, dataSource, jobs, log, unipile, sandbox, engine, leadProgress, webhooks, sync, notifications, stop: () => (stopping ??= stopAll()) };
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

/** The real Unipile when configured; otherwise the built-in sandbox, started on a local port. */
async function connectUnipile(
  config: Config,
  clock: Clock,
  opts: AppOptions,
  log: Logger,
  onCall: UnipileClientOptions['onCall'],
): Promise<{ unipile: UnipileClient; sandbox?: UnipileSandbox }> {
  if (config.unipile) {
    log.info({ dsn: config.unipile.dsn }, 'using Unipile');
    return {
      unipile: new UnipileClient({ dsn: config.unipile.dsn, apiKey: config.unipile.apiKey, timeoutMs: config.unipileTimeoutMs, logger: log, onCall }),
    };
  }
  const { seed, port, adminKey, accounts, profiles, initialRelations, acceptProbability, replyProbability } = config.sandbox;
  const sandbox = await startUnipileSandbox({
    seed,
    port,
    // Random per start unless SANDBOX_ADMIN_KEY is set: a key derived from the (public) seed is no key.
    adminKey: adminKey ?? `sandbox_admin_${randomBytes(24).toString('base64url')}`,
    accounts,
    profiles,
    initialRelations,
    acceptance: { probability: acceptProbability },
    reply: { probability: replyProbability },
    clock,
    logger: log,
    ...opts.sandbox,
  });
  log.info({ url: sandbox.url }, 'UNIPILE_DSN is not set: using the built-in Unipile sandbox (a simulated LinkedIn)');
  if (config.isProduction) {
    // Allowed only with ALLOW_SANDBOX_IN_PRODUCTION (config.ts); the key is not printed where logs are collected.
    log.warn('ALLOW_SANDBOX_IN_PRODUCTION=true: the simulated LinkedIn runs in production; nothing reaches Unipile');
  } else {
    // The admin key is a credential: shown on the console, never in the JSON log.
    (opts.print ?? ((text: string) => process.stdout.write(text)))(
      `\n  Unipile sandbox: ${sandbox.url} (inspect it under /_sandbox/* with header x-sandbox-admin-key: ${sandbox.adminKey})\n\n`,
    );
  }
  return { unipile: new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: config.unipileTimeoutMs, logger: log, onCall }), sandbox };
}
