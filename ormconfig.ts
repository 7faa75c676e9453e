import 'reflect-metadata';
import { loadProcessConfig } from './src/config';
import { createDataSource } from './src/core/db/data-source';

// The TypeORM CLI's data source (npm run migration:generate / migration:run / migration:show):
// the same options as the app, on DATABASE_URL (the local Postgres when unset).
const config = loadProcessConfig();
export default createDataSource(config.db.url ?? 'postgres://postgres@127.0.0.1:5432/postgres');
