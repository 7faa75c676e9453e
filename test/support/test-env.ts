// Where the integration tests' Postgres is. global-setup decides once and passes it on in the
// environment (Jest workers inherit the parent's process.env).
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

// Databases of one Jest run are named outreach_test_<pid of the run>_…, so concurrent runs on one
// server never touch each other's databases.
export const DATABASE_PREFIX = 'outreach_test_';

export function runDatabasePrefix(): string {
  return `${DATABASE_PREFIX}${process.env.OUTREACH_TEST_RUN_ID ?? process.pid}_`;
}

export const templateDatabase = (): string => `${runDatabasePrefix()}template`;

export type TestDbMode = 'server' | 'embedded';

export function testDbMode(): TestDbMode {
  return process.env.OUTREACH_TEST_DB_MODE === 'embedded' ? 'embedded' : 'server';
}

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
