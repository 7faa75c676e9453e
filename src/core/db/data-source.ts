import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

// One set of options for the app, the tests and the TypeORM CLI (ormconfig.ts).
// Schema changes only ever arrive through committed migrations.
export type DataSourceSettings = { entities: Function[]; poolSize?: number };

// `entities`: every feature's (src/modules/index.ts ENTITIES).
export function dataSourceOptions(url: string, opts: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: opts.entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is core since PG13 and available in PGlite (which lacks uuid-ossp).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: { max: opts.poolSize ?? 10 },
  };
}

export function createDataSource(url: string, opts: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(url, opts));
}
