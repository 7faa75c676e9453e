import type { EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import type { TransactionRunner } from '../../core/db/transaction';
import { InputError, NotFoundError } from '../../core/errors';
import type { Page } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import type { CampaignLeads } from './campaign-leads';
import { type Campaign, CampaignStatus } from './campaign.entity';
import { CampaignError } from './campaign.errors';
import type { CampaignRepository, CampaignSenderAccount } from './campaign.repository';
import { allowedTransitions, canTransition, isEditable } from './campaign-status';
import type { CampaignsArgs, CreateCampaignInput, SequenceStepInput, UpdateCampaignInput } from './campaign.types';
import { isAllowedCustomFieldName, normalizeFieldName } from './custom-fields';
import { DEFAULT_SEQUENCE, type StepDefinition, sequenceProblems, withDefaults } from './sequence';
import type { SequenceStep } from './sequence-step.entity';

export class CampaignService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly campaigns: CampaignRepository,
    /** What status, sender and sequence changes do to the campaign's leads (the leads feature). */
    private readonly leads: CampaignLeads,
    private readonly clock: Clock,
    /** Called after changes that may make work due (activation), so the engine scans soon. */
    private readonly onNewWork: () => void = () => undefined,
  ) {}

  list(viewer: Viewer, args: CampaignsArgs): Promise<Page<Campaign>> {
    return this.campaigns.page(viewer.workspaceId, args.status, args);
  }

  async get(viewer: Viewer, id: string): Promise<Campaign> {
    const campaign = await this.campaigns.find(viewer.workspaceId, id);
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }

  byIds(viewer: Viewer, ids: readonly string[]): Promise<Campaign[]> {
    return this.campaigns.byIds(viewer.workspaceId, ids);
  }

  /** The sender accounts of each campaign (DataLoader batch). */
  sendersOf(viewer: Viewer, campaignIds: readonly string[]): Promise<CampaignSenderAccount[]> {
    return this.campaigns.sendersOf(viewer.workspaceId, campaignIds);
  }

  /** The steps of given (campaign, version) pairs, keyed "campaignId:version" (DataLoader batch). */
  stepsOf(keys: readonly string[]): Promise<SequenceStep[]> {
    return this.campaigns.stepsOf(
      keys.map((k) => {
        const [campaignId, version] = k.split(':');
        return { campaignId, version: Number(version) };
      }),
    );
  }

  async create(viewer: Viewer, input: CreateCampaignInput): Promise<Campaign> {
    const customFields = normalizeCustomFields(input.customFields ?? []);
    const steps = input.steps ? toDefinitions(input.steps) : [...DEFAULT_SEQUENCE];
    assertValidSequence(steps, customFields);
    return this.db.transaction(async (em) => {
      const campaigns = this.campaigns.withManager(em);
      const campaign = campaigns.build({
        workspaceId: viewer.workspaceId,
        name: input.name.trim(),
        description: input.description?.trim() || null,
        status: CampaignStatus.DRAFT,
        customFields,
        sequenceVersion: 1,
        activatedAt: null,
      });
      await saveNamed(campaigns, campaign);
      await this.replaceSenders(em, viewer, campaign, input.senderAccountIds ?? []);
      await campaigns.insertSteps(campaign.id, 1, withDefaults(steps));
      return campaign;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateCampaignInput): Promise<Campaign> {
    return this.db.transaction(async (em) => {
      const campaigns = this.campaigns.withManager(em);
      const campaign = await this.lockEditable(em, viewer, id);
      if (input.name !== undefined) campaign.name = input.name.trim();
      if (input.description !== undefined) campaign.description = input.description?.trim() || null;
      if (input.customFields !== undefined) {
        campaign.customFields = normalizeCustomFields(input.customFields);
        assertValidSequence(await campaigns.steps(campaign.id, campaign.sequenceVersion), campaign.customFields);
      }
      await saveNamed(campaigns, campaign);
      if (input.senderAccountIds !== undefined) {
        await this.replaceSenders(em, viewer, campaign, input.senderAccountIds);
        await this.leads.assignSenders(em, campaign.id);
        await this.leads.reschedule(em, campaign.id);
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
    const campaign = await this.db.transaction(async (em) => {
      const campaigns = this.campaigns.withManager(em);
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
        const senders = await campaigns.countSenders(campaign.id);
        if (senders === 0) throw new CampaignError('CAMPAIGN_NOT_READY', 'Add at least one sender account before activating');
        campaign.activatedAt ??= this.clock.now();
      }
      campaign.status = status;
      await campaigns.save(campaign);
      if (status === CampaignStatus.ACTIVE) await this.leads.assignSenders(em, campaign.id);
      if (status === CampaignStatus.COMPLETED || status === CampaignStatus.ARCHIVED) {
        await this.leads.endCampaign(em, campaign.id, this.clock.now());
      }
      await this.leads.reschedule(em, campaign.id);
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
    return this.db.transaction(async (em) => {
      const campaigns = this.campaigns.withManager(em);
      const campaign = await this.lockEditable(em, viewer, id);
      const steps = toDefinitions(input);
      assertValidSequence(steps, campaign.customFields);
      campaign.sequenceVersion += 1;
      await campaigns.save(campaign);
      await campaigns.insertSteps(campaign.id, campaign.sequenceVersion, withDefaults(steps));
      await this.leads.reschedule(em, campaign.id);
      return campaign;
    });
  }

  /** Locks the campaign row for `em`'s transaction (serialises imports and edits of one campaign). */
  async lock(em: EntityManager, viewer: Viewer, id: string): Promise<Campaign> {
    const campaign = await this.campaigns.withManager(em).findLocked(viewer.workspaceId, id);
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

  /** Makes custom fields seen in imported leads usable in templates (in `em`'s transaction). */
  async declareCustomFields(em: EntityManager, campaign: Campaign, names: string[]): Promise<void> {
    const added = names.filter((n) => !campaign.customFields.includes(n));
    if (added.length === 0) return;
    campaign.customFields = [...campaign.customFields, ...added];
    await this.campaigns.withManager(em).setCustomFields(campaign.id, campaign.customFields);
  }

  private async replaceSenders(em: EntityManager, viewer: Viewer, campaign: Campaign, accountIds: string[]): Promise<void> {
    const campaigns = this.campaigns.withManager(em);
    const wanted = [...new Set(accountIds)];
    const accounts = wanted.length ? await campaigns.accountsIn(viewer.workspaceId, wanted) : [];
    const missing = wanted.filter((id) => !accounts.some((a) => a.id === id));
    if (missing.length > 0) {
      throw new CampaignError('UNKNOWN_ACCOUNT', 'Some sender accounts do not exist in this workspace', { accountIds: missing });
    }
    const current = await campaigns.senders(campaign.id);
    const removed = current.map((s) => s.accountId).filter((id) => !wanted.includes(id));
    if (removed.length > 0) {
      // Started leads must keep their sender: LinkedIn conversations belong to one account.
      const count = await this.leads.countStartedOn(em, campaign.id, removed);
      if (count > 0) {
        throw new CampaignError('SENDER_HAS_ACTIVE_LEADS', `${count} started leads are pinned to a sender being removed`, {
          accountIds: removed,
        });
      }
      await campaigns.removeSenders(campaign.id, removed);
      await this.leads.releaseSenders(em, campaign.id, removed);
    }
    const added = wanted.filter((id) => !current.some((s) => s.accountId === id));
    for (const accountId of added) await campaigns.addSender(campaign.id, accountId);
  }
}

/** Saves a campaign; a name the workspace uses already is refused with CAMPAIGN_NAME_TAKEN. */
async function saveNamed(campaigns: CampaignRepository, campaign: Campaign): Promise<void> {
  try {
    await campaigns.saveInSavepoint(campaign);
  } catch (error) {
    if (isUniqueViolation(error, 'UQ_campaign_workspace_name')) {
      throw new CampaignError('CAMPAIGN_NAME_TAKEN', `A campaign named "${campaign.name}" already exists`);
    }
    throw error;
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
  const bad = normalized.filter((n) => !isAllowedCustomFieldName(n));
  if (bad.length > 0) {
    throw new InputError('Custom field names are letters, digits and _, and not a standard field', {
      fields: [{ field: 'customFields', constraints: bad.map((n) => `"${n}" is not allowed`) }],
    });
  }
  return normalized;
}
