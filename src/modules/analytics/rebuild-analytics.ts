import 'reflect-metadata';
import { loadProcessConfig } from '../../config';
import { createAppDataSource } from '..';
import { AnalyticsRepository } from './analytics.repository';

// `npm run analytics:rebuild`: recomputes the analytics rollups from lead_event on DATABASE_URL
// (after a bulk load with triggers off, or a repair). Event inserts wait while it runs.
async function main(): Promise<void> {
  const config = loadProcessConfig();
  if (!config.db.url) throw new Error('DATABASE_URL is not set: give the URL of the database whose rollups to rebuild');
  const dataSource = createAppDataSource(config.db.url, { poolSize: 1 });
  await dataSource.initialize();
  try {
    const started = performance.now();
    await new AnalyticsRepository(dataSource.manager).rebuild();
    process.stdout.write(`analytics rollups rebuilt in ${Math.round(performance.now() - started)} ms\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
