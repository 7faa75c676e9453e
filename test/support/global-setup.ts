import 'reflect-metadata';
import { MongoClient } from 'mongodb';
import { Client } from 'pg';
import { createAppDataSource } from '../../src/modules';
import { DATABASE_PREFIX, templateDatabase, testServerUrl, withDatabase } from './test-env';

/**
 * Runs once before all test files. With a reachable Postgres (TEST_DATABASE_URL, default the local
 * server) it builds a migrated template database that each test file clones; otherwise every test
 * file starts its own embedded PGlite. Either way the run says which.
 */
export default async function globalSetup(): Promise<void> {
  await announceMongo();
  const url = testServerUrl();
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch (error) {
    process.env.OUTREACH_TEST_DB_MODE = 'embedded';
    process.stdout.write(`\n[tests] Postgres at ${redact(url)} unreachable (${(error as Error).message}): using embedded PGlite per test file\n`);
    return;
  }
  process.env.OUTREACH_TEST_RUN_ID = String(process.pid);
  try {
    await dropDatabasesOfDeadRuns(admin);
    await admin.query(`CREATE DATABASE ${templateDatabase()}`);
  } finally {
    await admin.end();
  }
  const template = createAppDataSource(withDatabase(url, templateDatabase()), { poolSize: 1 });
  await template.initialize();
  await template.runMigrations({ transaction: 'each' });
  await template.destroy();
  process.env.OUTREACH_TEST_DB_MODE = 'server';
  process.stdout.write(`\n[tests] using Postgres at ${redact(url)} (one migrated clone of ${templateDatabase()} per test file)\n`);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// The MongoDB job store is tested only against a real MongoDB (none can be installed here).
async function announceMongo(): Promise<void> {
  const url = process.env.MONGODB_URL;
  if (!url) {
    process.stdout.write('\n[tests] MONGODB_URL is not set: the MongoDB job-store tests are skipped\n');
    return;
  }
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000 });
  try {
    await client.connect();
    await client.db().command({ ping: 1 });
    process.env.OUTREACH_TEST_MONGODB = url;
    process.stdout.write(`\n[tests] MongoDB job-store tests run against ${redact(url)}\n`);
  } catch (error) {
    process.stdout.write(`\n[tests] MongoDB at ${redact(url)} unreachable (${(error as Error).message}): its tests are skipped\n`);
  } finally {
    await client.close();
  }
}

// Databases left by runs that crashed (their process is gone).
async function dropDatabasesOfDeadRuns(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `${DATABASE_PREFIX}%`,
  ]);
  for (const { datname } of rows) {
    const pid = Number(/^outreach_test_(\d+)_/.exec(datname)?.[1]);
    if (!pid || !isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
