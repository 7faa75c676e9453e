import type { EntityManager } from 'typeorm';
import { LinkedInAccount } from '../../src/modules/accounts';
import { Workspace } from '../../src/modules/auth';
import { Campaign, CampaignSender, SequenceStep } from '../../src/modules/campaigns';
import { LeadRepository } from '../../src/modules/leads';

/** A lead copied into the reference dry run (custom fields as JSON text). */
export type WorldLead = {
  account_id: string;
  public_identifier: string | null;
  provider_id: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  custom_fields: string;
};

export type TimelineRow = { at: Date; public_identifier: string | null; provider_id: string | null; type: string; step_index: number | null; reason: string | null };

/** The reference dry run's statements on its throw-away database: the campaign copied in, the results read out. */
export class EngineDryRunRepository {
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
