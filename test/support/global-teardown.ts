import { Client } from 'pg';
import { testDbMode, testServerUrl } from './test-env';

/** Drops the clones a crashed test file may have left behind, and the template. */
export default async function globalTeardown(): Promise<void> {
  if (testDbMode() !== 'server') return;
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'outreach_test_%'`,
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
