import type { Agenda } from 'agenda';
import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Clock } from '../core/clock';
import type { AppMetrics } from '../core/http/metrics';
import type { JobDefinition } from '../core/jobs/register-jobs';
import type { WorkspaceJobs } from '../core/jobs/workspace-jobs';
import type { Logger } from '../core/logger';
import type { Signal } from '../core/signal';
import type { NotifierSettings } from './notifications';
import type { EngineSettings, ExecutionScheduler } from './outreach';
import type { SandboxOptions } from './unipile';
import type { DetectedReply, ReplyListener } from './webhooks';

// The contract between the composition root (src/app.ts) and the feature modules: each feature
// folder has one `<feature>.module.ts` declaring its entities, resolver classes and how to build
// its services, jobs and routes; src/modules/index.ts lists them in the order they are built.

export type AppRole = 'all' | 'api' | 'worker';

/** What tests, benchmarks and simulations may set besides the configuration. */
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
  /** Where step executions are scheduled (default: the worker's dispatcher); simulations drive them themselves. */
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

/** Facts modules announce to each other without importing one another. */
export type AppSignals = {
  /** Leads may be due now (new leads, an activation, an acceptance): the engine scans soon. */
  leadsDue: Signal<void>;
  /** A reply was newly recorded (webhook or poll), after its commit. */
  replyDetected: Signal<DetectedReply>;
};

export type ModuleContext = {
  config: Config;
  options: AppOptions;
  role: AppRole;
  /** This process serves the API (role all or api). */
  api: boolean;
  /** This process runs jobs (role all or worker). */
  worker: boolean;
  dataSource: DataSource;
  databaseUrl: string;
  /** The database is the embedded PGlite (one process, no NOTIFY). */
  embeddedDatabase: boolean;
  clock: Clock;
  log: Logger;
  jobs: Agenda;
  /** The jobs that carry one workspace's work (definitions with `workspaceRow`), once every module is built. */
  workspaceJobs: WorkspaceJobs;
  jobStore: 'postgres' | 'mongodb';
  metrics: AppMetrics;
  signals: AppSignals;
  /** http://host:port this process serves, once it listens. */
  url(): string | undefined;
  /** Runs at shutdown, in reverse order of registration: after HTTP stopped, before the database closes. */
  onStop(stop: () => Promise<unknown>): void;
  /** The built parts of a module listed before this one. */
  use<T extends ModuleParts>(module: ModuleDefinition<T>): T;
};

/** What a module built hands to the composition root, beside its own public services (the other keys). */
export type ModuleParts = {
  [service: string]: unknown;
  /** Resolver instances (API processes), one per class in the definition's `resolvers`. */
  resolvers?: object[];
  jobs?: JobDefinition[];
  /** Worker processes, once the job queue runs: recurring jobs and background loops. */
  startWorker?(): Promise<void>;
  /** API processes: HTTP routes beside /graphql. */
  routes?(http: FastifyInstance): Promise<void>;
  /** API processes, once listening. */
  listening?(): Promise<void>;
};

export type ModuleDefinition<T extends ModuleParts = ModuleParts> = {
  name: string;
  /** TypeORM entities of the feature. */
  entities?: Function[];
  /** Resolver classes of the feature (the schema is built from them). */
  resolvers?: Function[];
  create(ctx: ModuleContext): T | Promise<T>;
};

export const defineModule = <T extends ModuleParts>(module: ModuleDefinition<T>): ModuleDefinition<T> => module;
