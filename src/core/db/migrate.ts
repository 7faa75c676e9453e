import type { DataSource } from 'typeorm';

const MIGRATION_LOCK = 'typeorm-migrations';

/**
 * Applies pending migrations, one transaction each. A session-level advisory lock makes a second
 * process (API and worker starting together) wait instead of racing on the same migration.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
