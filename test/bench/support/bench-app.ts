import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type App, type AppOptions, startApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';

export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-0123' };

/**
 * The whole service on a fresh database of the local Postgres (BENCH_DATABASE_URL, default the
 * machine's server), migrated at start like production. stop() drops the database. With
 * `databaseUrl`, it runs on that existing database instead (a seeded one) and keeps it. `app`:
 * options for startApp (a virtual clock, sandbox settings …); `env`: more configuration variables.
 */
export async function startBenchApp(opts: { databaseUrl?: string; app?: AppOptions; env?: Record<string, string> } = {}): Promise<{ app: App; graphqlUrl: string; stop(): Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `outreach_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: server });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  const url = new URL(opts.databaseUrl ?? server);
  if (!opts.databaseUrl) {
    await admin(`CREATE DATABASE ${name}`);
    url.pathname = `/${name}`;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-bench-'));
  const app = await startApp(
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0',
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      ...opts.env,
    }),
    { print: () => undefined, ...opts.app },
  );
  return {
    app,
    graphqlUrl: `${app.url}/graphql`,
    async stop() {
      await app.stop();
      if (!opts.databaseUrl) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A GraphQL call that throws on errors (benchmarks measure the happy path). */
export async function call<T>(graphqlUrl: string, query: string, variables: object, token?: string): Promise<T> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}
