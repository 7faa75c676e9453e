import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/core/db/data-source';
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
    drop: async () => {
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function embedded(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
  const pg = await startEmbeddedPostgres(dir);
  const ds = createDataSource(pg.url, { poolSize: 1 });
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
