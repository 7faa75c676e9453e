import type { DataSource } from 'typeorm';
import type { SyncParams } from '../../src/modules/sync/sync-progress';
import { SyncKind, type SyncRun } from '../../src/modules/sync/sync-run.entity';
import { SyncRunRepository } from '../../src/modules/sync/sync-run.repository';

/** A QUEUED sync run, as SyncService creates one (not enqueued: schedule its job yourself). */
export function createSyncRun(ds: DataSource, workspaceId: string, kind: SyncKind = SyncKind.CONVERSATIONS, params: SyncParams = {}): Promise<SyncRun> {
  return new SyncRunRepository(ds.manager).create(workspaceId, kind, params);
}
