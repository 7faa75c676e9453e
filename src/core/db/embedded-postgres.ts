import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = { url: string; dataDir: string; stop(): Promise<void> };

/**
 * Postgres without a server: PGlite persisted under `dataDir` (in memory without one), served on a
 * local port over the wire protocol so TypeORM, migrations and Agenda's Postgres backend use it
 * unchanged.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  const pgDir = dataDir ? join(dataDir, 'pglite') : 'memory://';
  if (dataDir) mkdirSync(pgDir, { recursive: true });
  const db = await PGlite.create({ dataDir: pgDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    dataDir: pgDir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
