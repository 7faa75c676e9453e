import type { EntityManager } from 'typeorm';

/** Whether the campaign or sender account a run is scoped to is the workspace's (campaign, linkedin_account: tables of other features). */
export class SyncScopeRepository {
  constructor(private readonly db: EntityManager) {}

  async campaignInWorkspace(workspaceId: string, campaignId: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM campaign WHERE id = $1 AND workspace_id = $2`, [campaignId, workspaceId]);
    return rows.length > 0;
  }

  async accountInWorkspace(workspaceId: string, accountId: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM linkedin_account WHERE id = $1 AND workspace_id = $2`, [accountId, workspaceId]);
    return rows.length > 0;
  }
}
