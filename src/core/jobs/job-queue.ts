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

/**
 * The one Agenda factory. MONGODB_URL set → jobs live in MongoDB; otherwise in the application's
 * Postgres database. Embedded Postgres (pglite-socket) does not deliver NOTIFY, and runs in one
 * process, so wake-ups go through an in-process channel there.
 */
export function createJobQueue(opts: JobQueueOptions): Agenda {
  const { store } = opts;
  const backend =
    store.kind === 'mongodb'
      ? new MongoBackend({ address: store.url, collection: 'agendaJobs' })
      : new PostgresBackend({ connectionString: store.url, tableName: 'agenda_jobs', disableNotifications: store.embedded });
  return new Agenda({
    backend,
    ...(store.kind === 'postgres' && store.embedded ? { notificationChannel: new InMemoryNotificationChannel() } : {}),
    processEvery: opts.processEveryMs ?? 5_000,
    maxConcurrency: 20,
    defaultConcurrency: 5,
    defaultLockLifetime: opts.lockLifetimeMs ?? 60_000,
  });
}

/** Proves the job store answers (used by /readyz). */
export async function pingJobStore(agenda: Agenda): Promise<void> {
  await agenda.db.getQueueSize();
}
