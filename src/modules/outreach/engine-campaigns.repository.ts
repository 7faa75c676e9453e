import type { EntityManager } from 'typeorm';
import { SequenceStep } from '../campaigns';

/** What the engine reads of campaigns and their sequences (tables of the campaigns feature). */
export class EngineCampaignsRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): EngineCampaignsRepository {
    return new EngineCampaignsRepository(em);
  }

  /** The step of a sequence version, if it exists. */
  findStep(campaignId: string, version: number, stepIndex: number): Promise<SequenceStep | null> {
    return this.db.findOne(SequenceStep, { where: { campaignId, version, stepIndex } });
  }

  /** Whether a sequence version has this step. */
  async hasStep(campaignId: string, version: number, stepIndex: number): Promise<boolean> {
    const [row] = await this.db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM sequence_step WHERE campaign_id = $1 AND version = $2 AND step_index = $3`,
      [campaignId, version, stepIndex],
    );
    return row.n > 0;
  }

  /** The ids of the workspace's active campaigns. */
  async activeCampaignIds(workspaceId: string): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(`SELECT id FROM campaign WHERE workspace_id = $1 AND status = 'ACTIVE'`, [workspaceId]);
    return rows.map((r) => r.id);
  }
}
