import type { EntityManager } from 'typeorm';
import { LinkedInAccount } from '../../accounts';
import { Workspace } from '../../auth';
import { Campaign, CampaignSender, SequenceStep } from '../../campaigns';
import { LeadRepository } from '../../leads';

/** A lead copied into the dry run (custom fields as JSON text). */
export type WorldLead = {
  account_id: string;
  public_identifier: string | null;
  provider_id: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  custom_fields: string;
};

/** A step execution the runner may run now. */
export type DueExecution = { id: string; account_id: string; scheduled_for: Date };

/**
 * What can happen next: whether some account has a slot now (busy), else the earliest slot or due
 * lead (next); and the earliest execution still to run.
 */
export type NextMoments = { busy: boolean | null; next: Date | null; nextExecution: Date | null };

export type TimelineRow = { at: Date; public_identifier: string | null; provider_id: string | null; type: string; step_index: number | null; reason: string | null };

/**
 * The statements of a dry run on its own throw-away database: copying the campaign in, what the
 * runner asks between the engine's steps, and the results read out at the end.
 */
export class SimulationWorldRepository {
  constructor(private readonly db: EntityManager) {}

  createWorkspace(name: string): Promise<Workspace> {
    return this.db.getRepository(Workspace).save({ name });
  }

  createAccount(account: Partial<LinkedInAccount>): Promise<LinkedInAccount> {
    return this.db.getRepository(LinkedInAccount).save(account);
  }

  createCampaign(campaign: Partial<Campaign>): Promise<Campaign> {
    return this.db.getRepository(Campaign).save(campaign);
  }

  async addSenders(campaignId: string, accountIds: string[]): Promise<void> {
    await this.db.getRepository(CampaignSender).save(accountIds.map((accountId) => ({ campaignId, accountId })));
  }

  async addSteps(steps: Array<Partial<SequenceStep>>): Promise<void> {
    await this.db.getRepository(SequenceStep).save(steps);
  }

  /** One statement for all of them (5,000 single-row inserts cost seconds on PGlite). */
  async insertLeads(workspaceId: string, campaignId: string, createdAt: Date, rows: WorldLead[]): Promise<void> {
    await this.db.query(
      `INSERT INTO lead (workspace_id, campaign_id, account_id, public_identifier, provider_id, first_name, last_name, company, custom_fields, created_at)
     SELECT $1, $2, v.account_id, v.public_identifier, v.provider_id, v.first_name, v.last_name, v.company, v.custom_fields::jsonb, $3
     FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS v(account_id, public_identifier, provider_id, first_name, last_name, company, custom_fields)`,
      [
        workspaceId,
        campaignId,
        createdAt.toISOString(),
        rows.map((r) => r.account_id),
        rows.map((r) => r.public_identifier),
        rows.map((r) => r.provider_id),
        rows.map((r) => r.first_name),
        rows.map((r) => r.last_name),
        rows.map((r) => r.company),
        rows.map((r) => r.custom_fields),
      ],
    );
  }

  /** When each lead of the campaign is next due (the leads feature's rule). */
  scheduleLeads(campaignId: string): Promise<void> {
    return new LeadRepository(this.db).reschedule(campaignId);
  }

  /** Executions due by `now`, or before `horizon`, in time order. */
  dueExecutions(now: Date, horizon: Date): Promise<DueExecution[]> {
    return this.db.query(
      `SELECT id, account_id, scheduled_for FROM step_execution
       WHERE state IN ('scheduled', 'retrying') AND (scheduled_for <= $1 OR scheduled_for < $2)
       ORDER BY scheduled_for, id`,
      [now, horizon],
    );
  }

  /**
   * NextMoments after `now`, in one round trip. The next due lead is one probe of IDX_lead_due per
   * account (its first lead due after now), not a pass over every lead with a due time.
   */
  async nextMoments(now: Date): Promise<NextMoments> {
    const [row]: NextMoments[] = await this.db.query(
      `SELECT (SELECT bool_or(next_slot_at <= $1) FROM linkedin_account) AS busy,
              least((SELECT min(next_slot_at) FROM linkedin_account WHERE next_slot_at > $1),
                    (SELECT min(d.next_action_at) FROM linkedin_account a
                     CROSS JOIN LATERAL (SELECT next_action_at FROM lead
                                         WHERE account_id = a.id AND next_action_at IS NOT NULL AND next_action_at > $1
                                         ORDER BY next_action_at LIMIT 1) d)) AS next,
              (SELECT min(scheduled_for) FROM step_execution WHERE state IN ('scheduled', 'retrying')) AS "nextExecution"`,
      [now],
    );
    return row;
  }

  async accountIdOf(unipileAccountId: string): Promise<string | undefined> {
    const [row]: Array<{ id: string }> = await this.db.query(`SELECT id FROM linkedin_account WHERE unipile_account_id = $1`, [unipileAccountId]);
    return row?.id;
  }

  /** Lead events of the campaign, per type. */
  async eventTotals(campaignId: string): Promise<Array<{ type: string; n: number }>> {
    return this.db.query(`SELECT type::text, count(*)::int AS n FROM lead_event WHERE campaign_id = $1 GROUP BY type`, [campaignId]);
  }

  /** Leads of the campaign, per status. */
  async statusCounts(campaignId: string): Promise<Array<{ status: string; n: number }>> {
    return this.db.query(`SELECT status::text, count(*)::int AS n FROM lead WHERE campaign_id = $1 GROUP BY status`, [campaignId]);
  }

  /** The campaign's events but lead_added, in order, at most `limit`. */
  timeline(campaignId: string, limit: number): Promise<TimelineRow[]> {
    return this.db.query(
      `SELECT e.occurred_at AS at, l.public_identifier, l.provider_id, e.type::text, e.step_index, e.reason
       FROM lead_event e JOIN lead l ON l.id = e.lead_id
       WHERE e.campaign_id = $1 AND e.type <> 'lead_added'
       ORDER BY e.occurred_at, e.id LIMIT $2`,
      [campaignId, limit],
    );
  }
}
