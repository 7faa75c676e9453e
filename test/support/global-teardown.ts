import { Client } from 'pg';
import { runDatabasePrefix, testDbMode, testServerUrl } from './test-env';

/** Drops this run's template and any clone a crashed test file left behind. */
export default async function globalTeardown(): Promise<void> {
  if (testDbMode() !== 'server') return;
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${runDatabasePrefix()}%`,
    ]);
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
