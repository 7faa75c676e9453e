import { chmodSync, mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createLogger, type Logger } from '../logger';
import { PgliteServer } from './pglite-server';

export type EmbeddedPostgres = { url: string; dataDir: string; stop(): Promise<void> };

/** The socket file name libpq and node-postgres derive from a socket directory and port 5432. */
const SOCKET_NAME = '.s.PGSQL.5432';
/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

export class DataDirInUseError extends Error {}

/**
 * Postgres without a server: PGlite persisted under `dataDir/pglite` (in memory without a
 * `dataDir`), served on a unix socket that only this OS user can open (the socket file is 0600; no
 * TCP port, so no one else on the machine or the network can reach it), so TypeORM, migrations and
 * Agenda's Postgres backend use it unchanged. See PgliteServer for how clients share its one session.
 */
export async function startEmbeddedPostgres(dataDir?: string, log: Logger = createLogger('silent')): Promise<EmbeddedPostgres> {
  const pgDir = dataDir ? join(resolve(dataDir), 'pglite') : 'memory://';
  const socketDir = socketDirectory(dataDir);
  const socketPath = join(socketDir.path, SOCKET_NAME);
  await claimSocket(socketPath);
  if (dataDir) mkdirSync(pgDir, { recursive: true, mode: 0o700 });

  const db = await PGlite.create({ dataDir: pgDir });
  const server = new PgliteServer(db, log);
  try {
    await server.listen(socketPath);
    chmodSync(socketPath, 0o600);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir.path)}`,
    dataDir: pgDir,
    async stop() {
      await server.close();
      await db.close();
      socketDir.remove();
    },
  };
}

/** The data directory itself; a private temporary one when there is none or its path is too long for a socket. */
function socketDirectory(dataDir: string | undefined): { path: string; remove(): void } {
  if (dataDir && join(resolve(dataDir), SOCKET_NAME).length <= MAX_SOCKET_PATH) {
    mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
    return { path: resolve(dataDir), remove: () => rmSync(join(resolve(dataDir), SOCKET_NAME), { force: true }) };
  }
  const path = mkdtempSync(join(tmpdir(), 'outreach-pg-')); // created 0700
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Refuses a data directory another live process is serving (two PGlite instances on one directory
 * would corrupt it); removes the socket a killed process left behind.
 */
async function claimSocket(path: string): Promise<void> {
  const answered = await new Promise<boolean>((resolveProbe) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => resolveProbe(false));
  });
  if (answered) throw new DataDirInUseError(`the embedded database at ${path} is in use by another process (stop it, or set another DATA_DIR)`);
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
