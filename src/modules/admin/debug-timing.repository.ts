import { type EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { LinkedInAccount } from '../accounts';
import { Campaign, SequenceStep } from '../campaigns';
import { Lead, type LeadStatus } from '../leads';
import { type ExecutionState, RateLedgerRepository, StepExecution, type Usage } from '../outreach';

/** The instance's and the workspace's sending pauses (null: no row says). */
export type Pauses = { scheduler: boolean | null; workspace: boolean | null };

const pausesSchema = z.object({ paused: z.boolean().nullable(), workspace_paused: z.boolean().nullable() });

const toPauses = (row: z.infer<typeof pausesSchema>): Pauses => ({ scheduler: row.paused, workspace: row.workspace_paused });

/** debugTiming's reads, across the engine's tables (on the data source, no transaction). */
export class DebugTimingRepository {
  constructor(private readonly db: EntityManager) {}

  findCampaign(workspaceId: string, campaignId: string): Promise<Campaign | null> {
    return this.db.findOne(Campaign, { where: { id: campaignId, workspaceId } });
  }

  /** The campaign's leads in these statuses, the soonest due first (unscheduled last). */
  leadsByNextAction(campaignId: string, statuses: readonly LeadStatus[], first: number): Promise<Lead[]> {
    return this.db
      .createQueryBuilder(Lead, 'l')
      .where('l.campaign_id = :campaignId AND l.status IN (:...statuses)', { campaignId, statuses })
      .orderBy('l.next_action_at', 'ASC', 'NULLS LAST')
      .addOrderBy('l.id', 'ASC')
      .limit(first)
      .getMany();
  }

  /** The workspace's accounts among these ids, oldest first. */
  accounts(workspaceId: string, ids: string[]): Promise<LinkedInAccount[]> {
    return this.db.find(LinkedInAccount, { where: { id: In(ids), workspaceId }, order: { createdAt: 'ASC' } });
  }

  /** Every step of every sequence version of the campaign. */
  steps(campaignId: string): Promise<SequenceStep[]> {
    return this.db.find(SequenceStep, { where: { campaignId } });
  }

  executions(leadIds: string[], states: ExecutionState[]): Promise<StepExecution[]> {
    return this.db.find(StepExecution, { where: { leadId: In(leadIds), state: In(states) } });
  }

  async pauses(workspaceId: string): Promise<Pauses> {
    const [row] = await this.db.query(
      `SELECT (SELECT paused FROM scheduler_state WHERE id = 1) AS paused, (SELECT sending_paused FROM workspace WHERE id = $1) AS workspace_paused`,
      [workspaceId],
    );
    return toPauses(pausesSchema.parse(row));
  }

  /** The account's ledger on a local day (the engine's own statement, in outreach). */
  usage(accountId: string, day: string): Promise<Usage> {
    return new RateLedgerRepository(this.db).usage(accountId, day);
  }
}
