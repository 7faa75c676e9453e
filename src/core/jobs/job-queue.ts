import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Pool } from 'pg';

export type JobStore = { kind: 'mongodb'; url: string } | { kind: 'postgres'; url: string; embedded: boolean };

export type JobQueueOptions = {
  store: JobStore;
  /** How often workers poll for due jobs, in ms (Postgres also wakes them through LISTEN/NOTIFY). */
  processEveryMs?: number;
  lockLifetimeMs?: number;
  /** Told about lost connections of the Postgres job store (idle pool connections, LISTEN): they are replaced. */
  onConnectionError?: (error: Error) => void;
};

export type JobQueue = {
  agenda: Agenda;
  /** Starts processing jobs in this process (workers). */
  start(): Promise<void>;
  /** A worker lets running jobs finish (up to 10 s); every process closes its job-store connection. */
  close(): Promise<void>;
};

/**
 * The one Agenda factory. MONGODB_URL set → jobs live in MongoDB; otherwise in the application's
 * Postgres database. The embedded Postgres (core/db/pglite-server.ts) does not deliver NOTIFY, and runs in one
 * process, so wake-ups go through an in-process channel there.
 */
export function createJobQueue(opts: JobQueueOptions): JobQueue {
  const { store } = opts;
  // Our own pool, for its 'error' listener: when the server closes connections idle in the pool
  // (a Postgres restart or failover), pg emits 'error' on the pool, and without a listener that
  // ends the process. Listened to, the pool drops those connections and opens new ones when next
  // needed. (The backend's own pool has no listener.)
  const pool = store.kind === 'postgres' ? new Pool({ connectionString: store.url }) : undefined;
  pool?.on('error', (error) => opts.onConnectionError?.(error));
  const backend =
    store.kind === 'mongodb'
      ? new MongoBackend({ address: store.url, collection: 'agendaJobs' })
      : new PostgresBackend({ pool, tableName: 'agenda_jobs', disableNotifications: store.embedded });
  // Likewise its LISTEN connection: the channel reconnects by itself, but emits 'error' first.
  if (backend instanceof PostgresBackend) backend.notificationChannel?.on('error', (error: Error) => opts.onConnectionError?.(error));
  const agenda = new Agenda({
    backend,
    ...(store.kind === 'postgres' && store.embedded ? { notificationChannel: new InMemoryNotificationChannel() } : {}),
    processEvery: opts.processEveryMs ?? 5_000,
    maxConcurrency: 20,
    defaultConcurrency: 5,
    defaultLockLifetime: opts.lockLifetimeMs ?? 60_000,
    // One-time jobs (step executions) leave no row behind once done; failures stay visible.
    removeOnComplete: true,
  });
  let started = false;
  return {
    agenda,
    async start() {
      await agenda.start();
      started = true;
    },
    // Agenda only closes connections it started with; an API-only process closes the backend itself.
    // The pool is ours: closed last.
    async close() {
      await (started ? agenda.drain({ timeout: 10_000, closeConnection: true }) : backend.disconnect());
      await pool?.end();
    },
  };
}

/** Proves the job store answers (used by /readyz). */
export async function pingJobStore(agenda: Agenda): Promise<void> {
  await agenda.db.getQueueSize();
}
