import type { EntityManager } from 'typeorm';

const MIGRATION_LOCK = 'typeorm-migrations';

type MigrationRow = { name: string };

const toName = (row: MigrationRow): string => row.name;

/** TypeORM's migrations: those applied (its table), those this build knows, and running the pending ones. */
export class MigrationsRepository {
  constructor(private readonly db: EntityManager) {}

  /** The applied migrations' names, in the order they ran. */
  async applied(): Promise<string[]> {
    const rows: MigrationRow[] = await this.db.query(`SELECT name FROM typeorm_migrations ORDER BY timestamp, id`);
    return rows.map(toName);
  }

  /** The names of the migrations this build has. */
  known(): string[] {
    return this.db.connection.migrations.map((m) => m.name ?? m.constructor.name);
  }

  /**
   * Applies pending migrations, one transaction each. A session-level advisory lock makes a second
   * process (API and worker starting together) wait instead of racing on the same migration.
   */
  async runPending(): Promise<string[]> {
    const runner = this.db.connection.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
      const applied = await this.db.connection.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}
