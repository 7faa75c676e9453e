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
const optionalUrl = (protocols: RegExp) =>
  optionalString.pipe(
    z
      .url({ protocol: protocols, error: `must be a URL (${protocols.source.replace(/[\^$]/g, '')})` })
      .optional(),
  );
const duration = z
  .string()
  .regex(/^\d+\s*(s|m|h|d)$/, 'must be a duration such as 900s, 15m, 12h or 7d');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: optionalUrl(/^postgres(ql)?$/),
    DATA_DIR: z.string().min(1).default('./data'),
    MONGODB_URL: optionalUrl(/^mongodb(\+srv)?$/),
    JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    JWT_EXPIRES_IN: duration.default('12h'),
    JWT_ISSUER: z.string().min(1).default('linkedin-outreach'),
    ADMIN_EMAIL: optionalString.pipe(z.email('must be an email address').optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    UNIPILE_DSN: optionalUrl(/^https?$/),
    UNIPILE_API_KEY: optionalString,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      const missing = env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with the other ADMIN_ variable' });
    }
    if (Boolean(env.UNIPILE_DSN) !== Boolean(env.UNIPILE_API_KEY)) {
      const missing = env.UNIPILE_DSN ? 'UNIPILE_API_KEY' : 'UNIPILE_DSN';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with the other UNIPILE_ variable' });
    }
  });

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
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
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
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

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
