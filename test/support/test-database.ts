import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createAppDataSource } from '../../src/modules';
import { startEmbeddedPostgres } from '../../src/core/db/embedded-postgres';
import { runDatabasePrefix, templateDatabase, testDbMode, testServerUrl, withDatabase } from './test-env';

export type TestDatabase = { url: string; drop(): Promise<void> };

/**
 * A migrated database of this test file's own: a clone of the template on the Postgres server,
 * or (when no server is reachable) a fresh embedded PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  return testDbMode() === 'server' ? cloneTemplate() : embedded();
}

async function cloneTemplate(): Promise<TestDatabase> {
  const name = `${runDatabasePrefix()}${randomBytes(4).toString('hex')}`;
  await withAdmin(async (admin) => {
    // Two clones of one template at the same instant can collide ("being accessed by other users").
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  });
  return {
    url: withDatabase(testServerUrl(), name),
    drop: () => withAdmin((admin) => dropWhenIdle(admin, name)),
  };
}

async function embedded(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
  const pg = await startEmbeddedPostgres(dir);
  const ds = createAppDataSource(pg.url, { poolSize: 1 });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return {
    url: pg.url,
    async drop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Waits (up to 3 s) for the app's connections to finish closing before dropping: pg's pool.end()
 * resolves before every socket is gone, and a connection killed mid-close by DROP … WITH (FORCE)
 * surfaces as an unhandled error in the test process.
 */
async function dropWhenIdle(admin: Client, name: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
    if (rows[0].n === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
