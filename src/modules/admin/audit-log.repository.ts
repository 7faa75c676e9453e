import { type EntityManager, LessThan } from 'typeorm';
import { AuditLogEntry } from './audit-log.entity';

export type NewAuditEntry = {
  workspaceId: string;
  userId: string;
  userEmail: string;
  action: string;
  target: Record<string, unknown>;
  outcome: string;
  requestId: string;
};

/** The audit_log table (on the data source). */
export class AuditLogRepository {
  constructor(private readonly db: EntityManager) {}

  /** Appends an entry; a caller deleted meanwhile is recorded by email only (user_id references app_user). */
  async insert(entry: NewAuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (workspace_id, user_id, user_email, action, target, outcome, request_id)
       VALUES ($1, (SELECT id FROM app_user WHERE id = $2), $3, $4, $5, $6, $7)`,
      [entry.workspaceId, entry.userId, entry.userEmail, entry.action, JSON.stringify(entry.target), entry.outcome, entry.requestId],
    );
  }

  /** A workspace's entries, newest first, below an id when given. */
  list(workspaceId: string, first: number, before: string | null): Promise<AuditLogEntry[]> {
    return this.db.find(AuditLogEntry, {
      where: { workspaceId, ...(before ? { id: LessThan(before) } : {}) },
      order: { id: 'DESC' },
      take: first,
    });
  }
}
