import 'reflect-metadata';
import { loadProcessConfig } from './src/config';
import { createAppDataSource } from './src/modules';

// The TypeORM CLI's data source (npm run migration:generate / migration:run / migration:show):
// the same options as the app, on DATABASE_URL (the local Postgres when unset).
const config = loadProcessConfig();
export default createAppDataSource(config.db.url ?? 'postgres://postgres@127.0.0.1:5432/postgres');
