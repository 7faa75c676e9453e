import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

// The only reader of process.env (given to loadConfig by the entry points). Each variable is
// documented in the README's configuration table; keep the two in step.
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = (protocol: RegExp, error: string) =>
  optionalString.pipe(z.url({ protocol, error }).optional());
const duration = z
  .string()
  .regex(/^\d+\s*(s|m|h|d)$/, 'must be a duration such as 900s, 15m, 12h or 7d');
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationMs = (value: string): number => {
  const [, amount, unit] = /^(\d+)\s*(s|m|h|d)$/.exec(value)!;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
};

const intBetween = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);
const probability = z.coerce
  .number({ error: 'must be a probability from 0 to 1' })
  .min(0, 'must be a probability from 0 to 1')
  .max(1, 'must be a probability from 0 to 1');
const FLAG_ERROR = 'must be true or false';
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: FLAG_ERROR }))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

// Comma-separated http(s) origins; each value is kept as its origin (scheme, host, port).
const ORIGINS_ERROR = 'must be comma-separated http:// or https:// origins such as https://hooks.slack.com';
const originList = z
  .string()
  .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
  .refine((list) => list.length > 0 && list.every((o) => URL.canParse(o) && /^https?:$/.test(new URL(o).protocol)), ORIGINS_ERROR)
  .transform((list) => list.map((o) => new URL(o).origin));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const PORT_ERROR = 'must be a port number from 0 to 65535';

const envSchema = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce
      .number({ error: PORT_ERROR })
      .int(PORT_ERROR)
      .min(0, PORT_ERROR)
      .max(65535, PORT_ERROR)
      .default(4000),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    DATABASE_URL: optionalUrl(/^postgres(ql)?$/, 'must be a postgres:// URL'),
    DATA_DIR: z.string().min(1).default('./data'),
    MONGODB_URL: optionalUrl(/^mongodb(\+srv)?$/, 'must be a mongodb:// or mongodb+srv:// URL'),
    JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    JWT_EXPIRES_IN: duration.default('12h'),
    JWT_ISSUER: z.string().min(1).default('linkedin-outreach'),
    ADMIN_EMAIL: optionalString.pipe(z.email('must be an email address').optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    UNIPILE_DSN: optionalUrl(/^https?$/, 'must be an https:// URL such as https://api1.unipile.com:13111'),
    UNIPILE_API_KEY: optionalString,
    UNIPILE_TIMEOUT: duration.default('30s'),
    SCAN_INTERVAL: duration.default('5m'),
    MIN_ACTION_GAP: duration.default('90s'),
    ACTION_JITTER: duration.default('120s'),
    RATE_LIMIT_COOLDOWN: duration.default('4h'),
    SEND_LEASE: duration.default('2m'),
    UNIPILE_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    PUBLIC_URL: optionalUrl(/^https?$/, 'must be an http:// or https:// URL such as https://outreach.example.com'),
    OPT_OUT_PHRASES: optionalString,
    RECONCILE_INTERVAL: duration.default('15m'),
    NOTIFY_EMAIL_ENABLED: flag.default(true),
    NOTIFY_SLACK_ENABLED: flag.default(true),
    NOTIFY_WEBHOOKS_ENABLED: flag.default(true),
    SMTP_URL: optionalUrl(/^smtps?$/, 'must be an smtp:// or smtps:// URL such as smtps://user:pass@smtp.example.com:465'),
    MAIL_FROM: z.string().trim().min(3).default('LinkedIn Outreach <notifications@localhost>'),
    NOTIFY_DISPATCH_INTERVAL: duration.default('5s'),
    NOTIFY_RETRY_DELAY: duration.default('30s'),
    NOTIFY_MAX_ATTEMPTS: intBetween(1, 20).default(6),
    NOTIFY_TIMEOUT: duration.default('10s'),
    NOTIFY_ALLOW_PRIVATE_NETWORKS: flag.default(false),
    NOTIFY_SLACK_WEBHOOK_ORIGINS: optionalString.pipe(originList.optional()),
    MIGRATIONS_RUN: flag.default(true),
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    METRICS_PUBLIC: flag.default(false),
    ALLOW_UNAUTHENTICATED_WEBHOOKS: flag.default(false),
    ALLOW_SANDBOX_IN_PRODUCTION: flag.default(false),
    TRUST_PROXY: flag.default(false),
    JOB_DASHBOARD_ENABLED: flag.default(true),
    LOGIN_MAX_FAILURES: intBetween(1, 1000).default(5),
    LOGIN_IP_MAX_FAILURES: intBetween(1, 100_000).default(50),
    LOGIN_LOCKOUT: duration.default('15m'),
    WS_MAX_CONNECTIONS_PER_CLIENT: intBetween(1, 1_000_000).default(100),
    GRAPHQL_MAX_DEPTH: intBetween(2, 100).default(12),
    GRAPHQL_MAX_COMPLEXITY: intBetween(100, 10_000_000).default(20_000),
    GRAPHQL_MAX_TOKENS: intBetween(500, 1_000_000).default(1_000),
    SANDBOX_SEED: z.string().min(1).default('sandbox'),
    SANDBOX_PORT: z.coerce.number({ error: PORT_ERROR }).int(PORT_ERROR).min(0, PORT_ERROR).max(65535, PORT_ERROR).default(0),
    SANDBOX_ADMIN_KEY: optionalString,
    SANDBOX_ACCOUNTS: intBetween(1, 50).default(3),
    SANDBOX_PROFILES: intBetween(1, 1_000_000).default(500),
    SANDBOX_INITIAL_RELATIONS: intBetween(0, 10_000).default(25),
    SANDBOX_ACCEPT_PROBABILITY: probability.default(0.35),
    SANDBOX_REPLY_PROBABILITY: probability.default(0.2),
    SIMULATION_MAX_PER_WORKSPACE: intBetween(1, 20).default(1),
    SIMULATION_MAX_CONCURRENT: intBetween(1, 64).default(3),
    SIMULATION_MEMORY_MB: intBetween(64, 16_384).default(384),
  });

// Rules across variables, checked on the raw environment so they are reported alongside
// (not instead of) problems with single values.
function crossVariableProblems(env: Env): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    // Each insecure default is refused in production unless its own opt-out says it is meant.
    const optedOut = (name: string) => flag.safeParse(env[name] ?? '').data === true;
    if (!set('JWT_SECRET')) problems.push('JWT_SECRET: is required when NODE_ENV=production');
    if (!set('UNIPILE_DSN') && !optedOut('ALLOW_SANDBOX_IN_PRODUCTION')) {
      problems.push('UNIPILE_DSN: is required when NODE_ENV=production (unset, the built-in sandbox runs instead of Unipile; ALLOW_SANDBOX_IN_PRODUCTION=true to mean it)');
    }
    if (!set('UNIPILE_WEBHOOK_SECRET') && env.ROLE !== 'worker' && !optedOut('ALLOW_UNAUTHENTICATED_WEBHOOKS')) {
      problems.push('UNIPILE_WEBHOOK_SECRET: is required when NODE_ENV=production (unset, anyone can post webhooks; ALLOW_UNAUTHENTICATED_WEBHOOKS=true to mean it)');
    }
    if (!set('METRICS_TOKEN') && !optedOut('METRICS_PUBLIC')) {
      problems.push('METRICS_TOKEN: is required when NODE_ENV=production (unset, /metrics is open to anyone; METRICS_PUBLIC=true to mean it)');
    }
  }
  for (const [a, b] of [['ADMIN_EMAIL', 'ADMIN_PASSWORD'], ['UNIPILE_DSN', 'UNIPILE_API_KEY']]) {
    if (set(a) !== set(b)) problems.push(`${set(a) ? b : a}: must be set together with ${set(a) ? a : b}`);
  }
  return problems;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once into a frozen, typed configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env) {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`)),
    ...crossVariableProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const config = {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    role: e.ROLE,
    http: { host: e.HOST, port: e.PORT },
    log: { level: e.LOG_LEVEL },
    dataDir,
    db: { url: e.DATABASE_URL },
    jobs: { mongoUrl: e.MONGODB_URL },
    auth: {
      jwtSecret: e.JWT_SECRET ?? developmentJwtSecret(dataDir),
      jwtExpiresIn: e.JWT_EXPIRES_IN,
      jwtIssuer: e.JWT_ISSUER,
      admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    },
    unipile: e.UNIPILE_DSN && e.UNIPILE_API_KEY ? { dsn: e.UNIPILE_DSN, apiKey: e.UNIPILE_API_KEY } : undefined,
    unipileTimeoutMs: durationMs(e.UNIPILE_TIMEOUT),
    engine: {
      scanIntervalMs: durationMs(e.SCAN_INTERVAL),
      minGapMs: durationMs(e.MIN_ACTION_GAP),
      jitterMs: durationMs(e.ACTION_JITTER),
      cooldownMs: durationMs(e.RATE_LIMIT_COOLDOWN),
      leaseMs: durationMs(e.SEND_LEASE),
    },
    webhooks: {
      // Unipile sends it back in the `Unipile-Auth` header of every delivery (no HMAC in v1).
      secret: e.UNIPILE_WEBHOOK_SECRET,
      // Where Unipile calls us back; unset: http://HOST:<listening port>.
      publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    },
    sync: {
      // Comma-separated; unset: the built-in list (DEFAULT_OPT_OUT_PHRASES).
      optOutPhrases: e.OPT_OUT_PHRASES?.split(',').map((p) => p.trim()).filter((p) => p.length > 0),
      reconcileIntervalMs: durationMs(e.RECONCILE_INTERVAL),
    },
    notifications: {
      // Environment switches; each workspace has its own on top (notificationSettings).
      emailEnabled: e.NOTIFY_EMAIL_ENABLED,
      slackEnabled: e.NOTIFY_SLACK_ENABLED,
      webhooksEnabled: e.NOTIFY_WEBHOOKS_ENABLED,
      // Carries the SMTP credentials: never logged, never returned by the API.
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      dispatchIntervalMs: durationMs(e.NOTIFY_DISPATCH_INTERVAL),
      // Retries wait this, then twice as long each time (at most 1 h), up to NOTIFY_MAX_ATTEMPTS attempts.
      retryDelayMs: durationMs(e.NOTIFY_RETRY_DELAY),
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      timeoutMs: durationMs(e.NOTIFY_TIMEOUT),
      // Slack and webhook channels may reach loopback and private addresses (receivers on your LAN).
      allowPrivateNetworks: e.NOTIFY_ALLOW_PRIVATE_NETWORKS,
      slackWebhookOrigins: e.NOTIFY_SLACK_WEBHOOK_ORIGINS ?? ['https://hooks.slack.com'],
    },
    operations: {
      // false: start-up leaves pending migrations to runMigrations (or the TypeORM CLI).
      migrationsRun: e.MIGRATIONS_RUN,
      // Bearer token /metrics requires; unset: open (refused in production unless METRICS_PUBLIC).
      metricsToken: e.METRICS_TOKEN,
      // Take the client address from X-Forwarded-For (only behind a proxy that sets it).
      trustProxy: e.TRUST_PROXY,
      // The Agendash jobs dashboard at /admin/jobs/ (admins only) on processes that serve the API.
      jobDashboard: e.JOB_DASHBOARD_ENABLED,
    },
    security: {
      login: {
        maxFailuresPerEmail: e.LOGIN_MAX_FAILURES,
        maxFailuresPerIp: e.LOGIN_IP_MAX_FAILURES,
        windowMs: durationMs(e.LOGIN_LOCKOUT),
      },
      graphql: { maxDepth: e.GRAPHQL_MAX_DEPTH, maxComplexity: e.GRAPHQL_MAX_COMPLEXITY, maxTokens: e.GRAPHQL_MAX_TOKENS },
      // Open WebSockets per client address (authenticated or not); past it, upgrades get 429.
      wsMaxConnectionsPerClient: e.WS_MAX_CONNECTIONS_PER_CLIENT,
    },
    sandbox: {
      seed: e.SANDBOX_SEED,
      port: e.SANDBOX_PORT,
      adminKey: e.SANDBOX_ADMIN_KEY,
      accounts: e.SANDBOX_ACCOUNTS,
      profiles: e.SANDBOX_PROFILES,
      initialRelations: e.SANDBOX_INITIAL_RELATIONS,
      acceptProbability: e.SANDBOX_ACCEPT_PROBABILITY,
      replyProbability: e.SANDBOX_REPLY_PROBABILITY,
    },
    // simulateCampaign runs in worker threads: how many at once, per workspace and per process, and each one's heap.
    simulation: { maxPerWorkspace: e.SIMULATION_MAX_PER_WORKSPACE, maxConcurrent: e.SIMULATION_MAX_CONCURRENT, memoryMb: e.SIMULATION_MEMORY_MB },
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

/** loadConfig over this process's environment (this file is its only reader), `overrides` on top. */
export function loadProcessConfig(overrides: Env = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}

// Outside production an unset JWT_SECRET is generated once and kept under DATA_DIR, so tokens
// survive restarts without asking a newcomer to invent a secret.
function developmentJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
