import { type DataSource, LessThan } from 'typeorm';
import { DomainError } from '../../core/errors';
import type { Viewer } from '../../core/graphql/viewer';
import { AuditLogEntry } from './audit-log.entity';

/** Who is calling an admin operation, and under which request id. */
export type Actor = { viewer: Viewer; requestId: string };

export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

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
      await this.dataSource.query(
        // A caller deleted meanwhile is recorded by email only (user_id references app_user).
        `INSERT INTO audit_log (workspace_id, user_id, user_email, action, target, outcome, request_id)
         VALUES ($1, (SELECT id FROM app_user WHERE id = $2), $3, $4, $5, $6, $7)`,
        [actor.viewer.workspaceId, actor.viewer.userId, actor.viewer.email, action, JSON.stringify(target), outcome, actor.requestId],
      );
    }
  }

  /** The workspace's entries, newest first; `before` is the id of the last entry of the previous page. */
  list(viewer: Viewer, first: number, before: string | null): Promise<AuditLogEntry[]> {
    return this.dataSource.getRepository(AuditLogEntry).find({
      where: { workspaceId: viewer.workspaceId, ...(before ? { id: LessThan(before) } : {}) },
      order: { id: 'DESC' },
      take: first,
    });
  }
}
