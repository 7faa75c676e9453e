import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type AppOptions, startApp } from '../../src/app';
import { type Env, loadConfig } from '../../src/config';
import { type TestDatabase, createTestDatabase } from './test-database';

export const TEST_ADMIN = { email: 'admin@test.example', password: 'correct-horse-battery-staple' };
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export type TestApp = {
  app: App;
  /** http://127.0.0.1:<port>/graphql */
  graphqlUrl: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  baseUrl: string;
  stop(): Promise<void>;
};

/**
 * The whole service on a random port, on a fresh migrated database of its own. It runs as the
 * `api` role unless told otherwise: no job runs behind a test's back (engine tests drive the
 * engine's services on a virtual clock; job tests ask for `role: 'all'`).
 */
export async function startTestApp(env: Env = {}, opts: AppOptions = {}): Promise<TestApp> {
  return start(await createTestDatabase(), env, opts);
}

/**
 * The service on its embedded default, as `npm start` runs it: no DATABASE_URL, so it starts its
 * own PGlite under a fresh DATA_DIR (and migrates it).
 */
export async function startEmbeddedTestApp(env: Env = {}, opts: AppOptions = {}): Promise<TestApp> {
  return start(undefined, env, opts);
}

async function start(db: TestDatabase | undefined, env: Env, opts: AppOptions): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...(db ? { DATABASE_URL: db.url } : {}),
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // Test apps run the sandbox without secrets, also those that test production behaviour
    // (NODE_ENV=production); the refusal to start without them is tested on a real process
    // (test/security/production-start.int-spec.ts). Outside production these do nothing.
    ALLOW_SANDBOX_IN_PRODUCTION: 'true',
    ALLOW_UNAUTHENTICATED_WEBHOOKS: 'true',
    METRICS_PUBLIC: 'true',
    ...env,
  });
  // A short lock lifetime: Agenda keeps a lockLifetime/2 timer per executed job, which would
  // otherwise hold Jest open after the last test.
  const app = await startApp(config, { role: 'api', jobs: { processEveryMs: 200, lockLifetimeMs: 1_500 }, print: () => undefined, ...opts });
  return served(app, async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** The app's URLs, and a stop that stops it and then removes what the test made for it. */
function served(app: App, cleanUp: () => Promise<void>): TestApp {
  const baseUrl = app.url!;
  return {
    app,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    async stop() {
      await app.stop();
      await cleanUp();
    },
  };
}

/**
 * A second API instance (in this process) on the test app's database and Unipile sandbox: what
 * one instance commits reaches the other only through Postgres, as between two servers.
 */
export async function startAnotherInstance(t: TestApp, env: Env = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: (t.app.dataSource.options as { url: string }).url,
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    UNIPILE_DSN: t.app.sandbox!.url,
    UNIPILE_API_KEY: t.app.sandbox!.apiKey,
    MIGRATIONS_RUN: 'false',
    ...env,
  });
  const app = await startApp(config, { role: 'api', jobs: { processEveryMs: 200, lockLifetimeMs: 1_500 }, print: () => undefined });
  return served(app, async () => rmSync(dataDir, { recursive: true, force: true }));
}
