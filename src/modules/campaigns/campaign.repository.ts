import { type EntityManager, In } from 'typeorm';
import { z } from 'zod';
import { type Page, paginate } from '../../core/graphql/pagination';
import { AccountRepository, type LinkedInAccount } from '../accounts';
import { CampaignSender } from './campaign-sender.entity';
import { Campaign, type CampaignStatus } from './campaign.entity';
import type { StepDefinition } from './sequence';
import { SequenceStep, StepKind } from './sequence-step.entity';

/** A sender of a campaign, with its account. */
export type CampaignSenderAccount = CampaignSender & { account: LinkedInAccount };

/** What a new campaign is made of (the database sets id and timestamps). */
export type NewCampaign = Pick<
  Campaign,
  'workspaceId' | 'name' | 'description' | 'status' | 'customFields' | 'sequenceVersion' | 'activatedAt'
>;

const stepKindRow = z.object({ kind: z.enum(StepKind) });

/** Campaigns, their senders and their sequence versions (campaign, campaign_sender, sequence_step). */
export class CampaignRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): CampaignRepository {
    return new CampaignRepository(em);
  }

  /** One page of the workspace's campaigns, of one status or all. */
  page(workspaceId: string, status: CampaignStatus | null | undefined, args: { first: number; after?: string | null }): Promise<Page<Campaign>> {
    const qb = this.db.getRepository(Campaign).createQueryBuilder('c').where('c.workspace_id = :ws', { ws: workspaceId });
    if (status) qb.andWhere('c.status = :status', { status });
    return paginate(qb, args);
  }

  find(workspaceId: string, id: string): Promise<Campaign | null> {
    return this.db.findOne(Campaign, { where: { id, workspaceId } });
  }

  /** The campaign, its row locked until the transaction ends. */
  findLocked(workspaceId: string, id: string): Promise<Campaign | null> {
    return this.db.findOne(Campaign, { where: { id, workspaceId }, lock: { mode: 'for_no_key_update' } });
  }

  byIds(workspaceId: string, ids: readonly string[]): Promise<Campaign[]> {
    return this.db.find(Campaign, { where: { id: In([...ids]), workspaceId } });
  }

  /** A campaign entity, not saved yet. */
  build(fields: NewCampaign): Campaign {
    return this.db.create(Campaign, fields);
  }

  /** Saves in a savepoint, so a failure (a name clash) leaves the surrounding transaction usable. */
  async saveInSavepoint(campaign: Campaign): Promise<void> {
    await this.db.transaction((inner) => inner.save(campaign));
  }

  async save(campaign: Campaign): Promise<void> {
    await this.db.save(campaign);
  }

  async setCustomFields(campaignId: string, customFields: string[]): Promise<void> {
    await this.db.update(Campaign, campaignId, { customFields });
  }

  /** The sender accounts of each campaign, oldest first, of the workspace's accounts. */
  async sendersOf(workspaceId: string, campaignIds: readonly string[]): Promise<CampaignSenderAccount[]> {
    const rows = await this.db.getRepository(CampaignSender).find({
      where: { campaignId: In([...campaignIds]), account: { workspaceId } },
      relations: { account: true },
      order: { createdAt: 'ASC' },
    });
    return rows as CampaignSenderAccount[];
  }

  countSenders(campaignId: string): Promise<number> {
    return this.db.count(CampaignSender, { where: { campaignId } });
  }

  senders(campaignId: string): Promise<CampaignSender[]> {
    return this.db.find(CampaignSender, { where: { campaignId } });
  }

  async removeSenders(campaignId: string, accountIds: string[]): Promise<void> {
    await this.db.delete(CampaignSender, { campaignId, accountId: In(accountIds) });
  }

  async addSender(campaignId: string, accountId: string): Promise<void> {
    await this.db.insert(CampaignSender, { campaignId, accountId });
  }

  /** The workspace's accounts among these ids (the accounts feature's statement, in this transaction). */
  accountsIn(workspaceId: string, ids: string[]): Promise<LinkedInAccount[]> {
    return new AccountRepository(this.db).findByIds(workspaceId, ids);
  }

  /** The steps of (campaign, version) pairs, in step order. */
  stepsOf(pairs: Array<{ campaignId: string; version: number }>): Promise<SequenceStep[]> {
    return this.db
      .getRepository(SequenceStep)
      .createQueryBuilder('s')
      .where('(s.campaign_id, s.version) IN (SELECT * FROM unnest(:ids::uuid[], :versions::int[]))', {
        ids: pairs.map((p) => p.campaignId),
        versions: pairs.map((p) => p.version),
      })
      .orderBy('s.step_index', 'ASC')
      .getMany();
  }

  steps(campaignId: string, version: number): Promise<SequenceStep[]> {
    return this.db.find(SequenceStep, { where: { campaignId, version }, order: { stepIndex: 'ASC' } });
  }

  async insertSteps(campaignId: string, version: number, steps: StepDefinition[]): Promise<void> {
    await this.db.insert(
      SequenceStep,
      steps.map((s, stepIndex) => ({ ...s, campaignId, version, stepIndex })),
    );
  }

  /** The kind of a step of a version (null: the campaign's current one); undefined when there is no such step. */
  async stepKind(campaignId: string, version: number | null, stepIndex: number): Promise<StepKind | undefined> {
    const rows: unknown[] = await this.db.query(
      `SELECT s.kind FROM sequence_step s JOIN campaign c ON c.id = s.campaign_id
             WHERE s.campaign_id = $1 AND s.version = coalesce($2, c.sequence_version) AND s.step_index = $3`,
      [campaignId, version, stepIndex],
    );
    return rows.length > 0 ? stepKindRow.parse(rows[0]).kind : undefined;
  }
}
