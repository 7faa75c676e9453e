import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const tempDir = () => mkdtempSync(join(tmpdir(), 'outreach-config-'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('should apply documented defaults when the environment is empty', () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.env).toBe('development');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(config.log.level).toBe('info');
    expect(config.db.url).toBeUndefined();
    expect(config.jobs.mongoUrl).toBeUndefined();
    expect(config.unipile).toBeUndefined();
    expect(config.auth.jwtExpiresIn).toBe('12h');
    expect(Object.isFrozen(config) && Object.isFrozen(config.auth)).toBe(true);
  });

  it('should generate a JWT secret under DATA_DIR once and reuse it when unset in development', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir }).auth.jwtSecret;
    const second = loadConfig({ DATA_DIR: dataDir }).auth.jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
  });

  it('should report a short JWT_SECRET as one line naming the variable', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual(['JWT_SECRET: must be at least 32 characters']);
  });

  it('should require JWT_SECRET, Unipile, the webhook secret and the metrics token in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual(['JWT_SECRET', 'UNIPILE_DSN', 'UNIPILE_WEBHOOK_SECRET', 'METRICS_TOKEN']);
  });

  it('should start production without Unipile, the webhook secret or the metrics token only when each is opted out', () => {
    const dataDir = tempDir();
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DATA_DIR: dataDir };
    const optOuts = { ALLOW_SANDBOX_IN_PRODUCTION: 'true', ALLOW_UNAUTHENTICATED_WEBHOOKS: 'true', METRICS_PUBLIC: 'true' };
    expect(loadConfig({ ...production, ...optOuts }).unipile).toBeUndefined();
    for (const name of Object.keys(optOuts)) {
      expect(problemsOf({ ...production, ...optOuts, [name]: 'false' })).toHaveLength(1);
    }
    // A value that is not a clear yes opts nothing out.
    expect(problemsOf({ ...production, ...optOuts, METRICS_PUBLIC: 'maybe' }).map((p) => p.split(':')[0])).toEqual(['METRICS_PUBLIC', 'METRICS_TOKEN']);
    // A worker serves no webhooks, so it needs no webhook secret.
    expect(() => loadConfig({ ...production, ...optOuts, ROLE: 'worker', ALLOW_UNAUTHENTICATED_WEBHOOKS: 'false' })).not.toThrow();
  });

  it('should list every problem, one line each, when several values are bad', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://localhost/db',
      ADMIN_EMAIL: 'admin@example.com',
      LOG_LEVEL: 'loud',
      UNIPILE_DSN: 'https://api1.unipile.com:13111',
    });
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['ADMIN_PASSWORD', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'UNIPILE_API_KEY'].sort(),
    );
  });

  it('should accept a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://app@db:5432/outreach',
      MONGODB_URL: 'mongodb://mongo:27017/outreach',
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'a-long-enough-password',
      UNIPILE_DSN: 'https://api1.unipile.com:13111',
      UNIPILE_API_KEY: 'key',
      UNIPILE_WEBHOOK_SECRET: 'a-webhook-secret-0123456789',
      METRICS_TOKEN: 'a-metrics-token-0123456789',
      PORT: '8080',
    });
    expect(config.isProduction).toBe(true);
    expect(config.db.url).toBe('postgres://app@db:5432/outreach');
    expect(config.jobs.mongoUrl).toBe('mongodb://mongo:27017/outreach');
    expect(config.auth.admin).toEqual({ email: 'ops@example.com', password: 'a-long-enough-password' });
    expect(config.unipile).toEqual({ dsn: 'https://api1.unipile.com:13111', apiKey: 'key' });
    expect(config.http.port).toBe(8080);
  });
});
