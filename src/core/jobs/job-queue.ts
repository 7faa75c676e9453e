import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';

export type JobStore = { kind: 'mongodb'; url: string } | { kind: 'postgres'; url: string; embedded: boolean };

export type JobQueueOptions = {
  store: JobStore;
  /** How often workers poll for due jobs, in ms (Postgres also wakes them through LISTEN/NOTIFY). */
  processEveryMs?: number;
  lockLifetimeMs?: number;
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
 * Postgres database. Embedded Postgres (pglite-socket) does not deliver NOTIFY, and runs in one
 * process, so wake-ups go through an in-process channel there.
 */
export function createJobQueue(opts: JobQueueOptions): JobQueue {
  const { store } = opts;
  const backend =
    store.kind === 'mongodb'
      ? new MongoBackend({ address: store.url, collection: 'agendaJobs' })
      : new PostgresBackend({ connectionString: store.url, tableName: 'agenda_jobs', disableNotifications: store.embedded });
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
    close: () => (started ? agenda.drain({ timeout: 10_000, closeConnection: true }).then(() => undefined) : backend.disconnect()),
  };
}

/** Proves the job store answers (used by /readyz). */
export async function pingJobStore(agenda: Agenda): Promise<void> {
  await agenda.db.getQueueSize();
}
