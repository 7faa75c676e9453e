import type { DataSource } from 'typeorm';
import type { MigrationInfo } from './admin.types';

const info = (name: string): MigrationInfo => ({ name, timestamp: /(\d{13})$/.exec(name)?.[1] ?? '' });

/** Applied migrations (from TypeORM's table) and those this build knows but the database lacks. */
export async function migrationsStatus(dataSource: DataSource): Promise<{ applied: MigrationInfo[]; pending: MigrationInfo[] }> {
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM typeorm_migrations ORDER BY timestamp, id`);
  const applied = new Set(rows.map((r) => r.name));
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  return { applied: rows.map((r) => info(r.name)), pending: known.filter((n) => !applied.has(n)).map(info) };
}
