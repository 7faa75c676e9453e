import { type DataSource, type EntityManager, In } from 'typeorm';
import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import { InputError, NotFoundError } from '../../core/errors';
import { type Page, paginate } from '../../core/graphql/pagination';
import { LinkedInAccount } from '../accounts/linkedin-account.entity';
import type { Viewer } from '../../core/graphql/viewer';
import { EventSource } from '../leads/lead-event-type';
import { normalizeFieldName } from '../leads/lead-rows';
import { assignSenders, rescheduleLeads } from '../leads/lead-schedule';
import { ACTIVE_LEAD_STATUSES_SQL } from '../leads/lead-status';
import { excludeActiveLeads } from '../leads/lead-transitions';
import { CampaignSender } from './campaign-sender.entity';
import { Campaign, CampaignStatus } from './campaign.entity';
import { CampaignError } from './campaign.errors';
import { allowedTransitions, canTransition, isEditable } from './campaign-status';
import type { CampaignsArgs, CreateCampaignInput, SequenceStepInput, UpdateCampaignInput } from './campaign.types';
import { DEFAULT_SEQUENCE, type StepDefinition, sequenceProblems, withDefaults } from './sequence';
import { SequenceStep } from './sequence-step.entity';
import { STANDARD_VARIABLES } from './template';

const CUSTOM_FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export class CampaignService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    /** Called after changes that may make work due (activation), so the engine scans soon. */
    private readonly onNewWork: () => void = () => undefined,
  ) {}

  async list(viewer: Viewer, args: CampaignsArgs): Promise<Page<Campaign>> {
    const qb = this.dataSource
      .getRepository(Campaign)
      .createQueryBuilder('c')
      .where('c.workspace_id = :ws', { ws: viewer.workspaceId });
    if (args.status) qb.andWhere('c.status = :status', { status: args.status });
    return paginate(qb, args);
  }

  async get(viewer: Viewer, id: string, em: EntityManager = this.dataSource.manager): Promise<Campaign> {
    const campaign = await em.findOne(Campaign, { where: { id, workspaceId: viewer.workspaceId } });
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }

  byIds(viewer: Viewer, ids: readonly string[]): Promise<Campaign[]> {
    return this.dataSource.getRepository(Campaign).find({ where: { id: In([...ids]), workspaceId: viewer.workspaceId } });
  }

  /** The sender accounts of each campaign (DataLoader batch). */
  async sendersOf(viewer: Viewer, campaignIds: readonly string[]): Promise<Array<CampaignSender & { account: LinkedInAccount }>> {
    const rows = await this.dataSource.getRepository(CampaignSender).find({
      where: { campaignId: In([...campaignIds]), account: { workspaceId: viewer.workspaceId } },
      relations: { account: true },
      order: { createdAt: 'ASC' },
    });
    return rows as Array<CampaignSender & { account: LinkedInAccount }>;
  }

  /** The steps of given (campaign, version) pairs, keyed "campaignId:version" (DataLoader batch). */
  async stepsOf(keys: readonly string[]): Promise<SequenceStep[]> {
    const pairs = keys.map((k) => k.split(':'));
    return this.dataSource
      .getRepository(SequenceStep)
      .createQueryBuilder('s')
      .where('(s.campaign_id, s.version) IN (SELECT * FROM unnest(:ids::uuid[], :versions::int[]))', {
        ids: pairs.map((p) => p[0]),
        versions: pairs.map((p) => Number(p[1])),
      })
      .orderBy('s.step_index', 'ASC')
      .getMany();
  }

  async create(viewer: Viewer, input: CreateCampaignInput): Promise<Campaign> {
    const customFields = normalizeCustomFields(input.customFields ?? []);
    const steps = input.steps ? toDefinitions(input.steps) : [...DEFAULT_SEQUENCE];
    assertValidSequence(steps, customFields);
    return this.dataSource.transaction(async (em) => {
      const campaign = em.create(Campaign, {
        workspaceId: viewer.workspaceId,
        name: input.name.trim(),
        description: input.description?.trim() || null,
        status: CampaignStatus.DRAFT,
        customFields,
        sequenceVersion: 1,
        activatedAt: null,
      });
      await this.saveNamed(em, campaign);
      await this.replaceSenders(em, viewer, campaign, input.senderAccountIds ?? []);
      await this.insertSteps(em, campaign.id, 1, steps);
      return campaign;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateCampaignInput): Promise<Campaign> {
    return this.dataSource.transaction(async (em) => {
      const campaign = await this.lockEditable(em, viewer, id);
      if (input.name !== undefined) campaign.name = input.name.trim();
      if (input.description !== undefined) campaign.description = input.description?.trim() || null;
      if (input.customFields !== undefined) {
        campaign.customFields = normalizeCustomFields(input.customFields);
        assertValidSequence(await this.currentSteps(em, campaign), campaign.customFields);
      }
      await this.saveNamed(em, campaign);
      if (input.senderAccountIds !== undefined) {
        await this.replaceSenders(em, viewer, campaign, input.senderAccountIds);
        await assignSenders(em, campaign.id);
        await rescheduleLeads(em, campaign.id);
      }
      return campaign;
    });
  }

  /**
   * Moves a campaign along its lifecycle. Activation needs a sender and a sequence; it pins
   * unassigned leads to senders. Any change reschedules the active leads (a campaign that is not
   * ACTIVE has no lead due).
   */
  async setStatus(viewer: Viewer, id: string, status: CampaignStatus): Promise<Campaign> {
    const campaign = await this.dataSource.transaction(async (em) => {
      const campaign = await this.lock(em, viewer, id);
      if (campaign.status === status) return campaign;
      if (!canTransition(campaign.status, status)) {
        throw new CampaignError('INVALID_STATUS_TRANSITION', `A ${campaign.status} campaign cannot become ${status}`, {
          from: campaign.status,
          to: status,
          allowed: allowedTransitions(campaign.status),
        });
      }
      if (status === CampaignStatus.ACTIVE) {
        const senders = await em.count(CampaignSender, { where: { campaignId: campaign.id } });
        if (senders === 0) throw new CampaignError('CAMPAIGN_NOT_READY', 'Add at least one sender account before activating');
        campaign.activatedAt ??= this.clock.now();
      }
      campaign.status = status;
      await em.save(campaign);
      if (status === CampaignStatus.ACTIVE) await assignSenders(em, campaign.id);
      if (status === CampaignStatus.COMPLETED || status === CampaignStatus.ARCHIVED) {
        // Leads still on their way stop, and are free to join another campaign.
        await excludeActiveLeads(em, { campaignId: campaign.id }, 'CAMPAIGN_ENDED', this.clock.now(), EventSource.OPERATOR);
      }
      await rescheduleLeads(em, campaign.id);
      return campaign;
    });
    if (campaign.status === CampaignStatus.ACTIVE) this.onNewWork();
    return campaign;
  }

  /**
   * Publishes a new version of the sequence. Leads that have not sent a step yet follow it; leads
   * already on their way keep the version they started with, so their path stays coherent.
   */
  async setSequence(viewer: Viewer, id: string, input: SequenceStepInput[]): Promise<Campaign> {
    return this.dataSource.transaction(async (em) => {
      const campaign = await this.lockEditable(em, viewer, id);
      const steps = toDefinitions(input);
      assertValidSequence(steps, campaign.customFields);
      campaign.sequenceVersion += 1;
      await em.save(campaign);
      await this.insertSteps(em, campaign.id, campaign.sequenceVersion, steps);
      await rescheduleLeads(em, campaign.id);
      return campaign;
    });
  }

  /** Locks the campaign row for the transaction (serialises imports and edits of one campaign). */
  async lock(em: EntityManager, viewer: Viewer, id: string): Promise<Campaign> {
    const campaign = await em.findOne(Campaign, {
      where: { id, workspaceId: viewer.workspaceId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }

  async lockEditable(em: EntityManager, viewer: Viewer, id: string): Promise<Campaign> {
    const campaign = await this.lock(em, viewer, id);
    if (!isEditable(campaign.status)) {
      throw new CampaignError('CAMPAIGN_NOT_EDITABLE', `A ${campaign.status} campaign cannot be changed`);
    }
    return campaign;
  }

  /** Makes custom fields seen in imported leads usable in templates. */
  async declareCustomFields(em: EntityManager, campaign: Campaign, names: string[]): Promise<void> {
    const added = names.filter((n) => !campaign.customFields.includes(n));
    if (added.length === 0) return;
    campaign.customFields = [...campaign.customFields, ...added];
    await em.update(Campaign, campaign.id, { customFields: campaign.customFields });
  }

  private currentSteps(em: EntityManager, campaign: Campaign): Promise<SequenceStep[]> {
    return em.find(SequenceStep, {
      where: { campaignId: campaign.id, version: campaign.sequenceVersion },
      order: { stepIndex: 'ASC' },
    });
  }

  private async saveNamed(em: EntityManager, campaign: Campaign): Promise<void> {
    try {
      // A savepoint, so a name clash leaves the surrounding transaction usable for the error.
      await em.transaction((inner) => inner.save(campaign));
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_campaign_workspace_name')) {
        throw new CampaignError('CAMPAIGN_NAME_TAKEN', `A campaign named "${campaign.name}" already exists`);
      }
      throw error;
    }
  }

  private async replaceSenders(em: EntityManager, viewer: Viewer, campaign: Campaign, accountIds: string[]): Promise<void> {
    const wanted = [...new Set(accountIds)];
    const accounts = wanted.length
      ? await em.find(LinkedInAccount, { where: { id: In(wanted), workspaceId: viewer.workspaceId } })
      : [];
    const missing = wanted.filter((id) => !accounts.some((a) => a.id === id));
    if (missing.length > 0) {
      throw new CampaignError('UNKNOWN_ACCOUNT', 'Some sender accounts do not exist in this workspace', { accountIds: missing });
    }
    const current = await em.find(CampaignSender, { where: { campaignId: campaign.id } });
    const removed = current.map((s) => s.accountId).filter((id) => !wanted.includes(id));
    if (removed.length > 0) {
      // Started leads must keep their sender: LinkedIn conversations belong to one account.
      const [{ count }] = await em.query(
        `SELECT count(*)::int AS count FROM lead
         WHERE campaign_id = $1 AND account_id = ANY($2) AND next_step_index > 0 AND status IN (${ACTIVE_LEAD_STATUSES_SQL})`,
        [campaign.id, removed],
      );
      if (count > 0) {
        throw new CampaignError('SENDER_HAS_ACTIVE_LEADS', `${count} started leads are pinned to a sender being removed`, {
          accountIds: removed,
        });
      }
      await em.delete(CampaignSender, { campaignId: campaign.id, accountId: In(removed) });
      await em.query(`UPDATE lead SET account_id = NULL WHERE campaign_id = $1 AND account_id = ANY($2)`, [campaign.id, removed]);
    }
    const added = wanted.filter((id) => !current.some((s) => s.accountId === id));
    for (const accountId of added) await em.insert(CampaignSender, { campaignId: campaign.id, accountId });
  }

  private async insertSteps(em: EntityManager, campaignId: string, version: number, steps: StepDefinition[]): Promise<void> {
    await em.insert(
      SequenceStep,
      withDefaults(steps).map((s, stepIndex) => ({ ...s, campaignId, version, stepIndex })),
    );
  }
}

function toDefinitions(steps: SequenceStepInput[]): StepDefinition[] {
  return steps.map((s) => ({
    kind: s.kind,
    delayMinutes: s.delayMinutes,
    template: s.template ?? null,
    acceptTimeoutDays: s.acceptTimeoutDays ?? null,
  }));
}

function assertValidSequence(steps: readonly StepDefinition[], customFields: readonly string[]): void {
  const problems = sequenceProblems(steps, customFields);
  if (problems.length > 0) {
    throw new CampaignError('INVALID_SEQUENCE', `The sequence is invalid: ${problems[0].message}`, { problems });
  }
}

function normalizeCustomFields(names: string[]): string[] {
  const normalized = [...new Set(names.map(normalizeFieldName))];
  const bad = normalized.filter((n) => !CUSTOM_FIELD_NAME.test(n) || (STANDARD_VARIABLES as readonly string[]).includes(n));
  if (bad.length > 0) {
    throw new InputError('Custom field names are letters, digits and _, and not a standard field', {
      fields: [{ field: 'customFields', constraints: bad.map((n) => `"${n}" is not allowed`) }],
    });
  }
  return normalized;
}
