import type { EntityManager } from 'typeorm';

/** Which rows named by job data belong to a workspace (the tables job definitions name in `workspaceRow`). */
export class WorkspaceJobsRepository {
  constructor(private readonly db: EntityManager) {}

  /** Of the ids given per table, the ones of rows of this workspace, in one query. */
  async idsInWorkspace(workspaceId: string, idsByTable: Map<string, string[]>): Promise<Set<string>> {
    const tables = [...idsByTable.keys()];
    const rows = await this.db.query<Array<{ id: string }>>(
      tables.map((table, i) => `SELECT id::text AS id FROM ${table} WHERE workspace_id = $1 AND id = ANY($${i + 2}::uuid[])`).join(' UNION ALL '),
      [workspaceId, ...tables.map((t) => idsByTable.get(t))],
    );
    return new Set(rows.map((r) => r.id));
  }
}
