import type { MigrationsRepository } from '../../core/db/migrations.repository';
import type { MigrationInfo } from './admin.types';

const info = (name: string): MigrationInfo => ({ name, timestamp: /(\d{13})$/.exec(name)?.[1] ?? '' });

/** Applied migrations (from TypeORM's table) and those this build knows but the database lacks. */
export async function migrationsStatus(migrations: Pick<MigrationsRepository, 'applied' | 'known'>): Promise<{ applied: MigrationInfo[]; pending: MigrationInfo[] }> {
  const names = await migrations.applied();
  const applied = new Set(names);
  return { applied: names.map(info), pending: migrations.known().filter((n) => !applied.has(n)).map(info) };
}
