import type { DataSource } from 'typeorm';
import { MigrationsRepository } from './migrations.repository';

/**
 * Applies pending migrations, one transaction each, one process at a time (see
 * MigrationsRepository.runPending). Returns the names of those applied now.
 */
export function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  return new MigrationsRepository(dataSource.manager).runPending();
}
