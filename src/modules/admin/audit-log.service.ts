import { DomainError } from '../../core/errors';
import type { Viewer } from '../../core/graphql/viewer';
import type { AuditLogEntry } from './audit-log.entity';
import type { AuditLogRepository } from './audit-log.repository';

/** Who is calling an admin operation, and under which request id. */
export type Actor = { viewer: Viewer; requestId: string };

export class AuditLogService {
  constructor(private readonly entries: Pick<AuditLogRepository, 'insert' | 'list'>) {}

  /**
   * Runs an admin operation and writes its audit entry, whether it succeeds (outcome `ok`) or
   * fails (the error code). The entry is written after the effect, so it records what happened.
   */
  async run<T>(actor: Actor, action: string, target: Record<string, unknown>, operation: () => Promise<T>): Promise<T> {
    let outcome = 'ok';
    try {
      return await operation();
    } catch (error) {
      outcome = error instanceof DomainError ? error.code : 'INTERNAL_SERVER_ERROR';
      throw error;
    } finally {
      await this.entries.insert({
        workspaceId: actor.viewer.workspaceId,
        userId: actor.viewer.userId,
        userEmail: actor.viewer.email,
        action,
        target,
        outcome,
        requestId: actor.requestId,
      });
    }
  }

  /** The workspace's entries, newest first; `before` is the id of the last entry of the previous page. */
  list(viewer: Viewer, first: number, before: string | null): Promise<AuditLogEntry[]> {
    return this.entries.list(viewer.workspaceId, first, before);
  }
}
