import { randomUUID } from 'node:crypto';
import { type EntityManager, QueryFailedError } from 'typeorm';
import { VirtualClock } from '../../src/core/clock';
import type { LinkedInAccount } from '../../src/modules/accounts/linkedin-account.entity';
import { type CampaignLeads, lateCampaignLeads } from '../../src/modules/campaigns/campaign-leads';
import { CampaignSender } from '../../src/modules/campaigns/campaign-sender.entity';
import { Campaign, CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { CampaignRepository, type NewCampaign } from '../../src/modules/campaigns/campaign.repository';
import { CampaignService } from '../../src/modules/campaigns/campaign.service';
import type { StepDefinition } from '../../src/modules/campaigns/sequence';
import { StepKind } from '../../src/modules/campaigns/sequence-step.entity';
import { adminOf, noDatabase } from '../support/no-database';

// The rules of CampaignService (lifecycle, readiness, senders pinned to started leads, names,
// custom fields) and what each change asks of the campaign's leads, with in-memory repositories.

const WS = randomUUID();
const viewer = adminOf(WS);
const NOW = new Date('2026-03-02T10:00:00Z');

/** The transaction's manager: every statement of a change must come with it. */
const TX = { transaction: 'tx' } as unknown as EntityManager;
const runner = { transaction: <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => work(TX) };

class FakeCampaigns extends CampaignRepository {
  readonly campaigns = new Map<string, Campaign>();
  readonly senderRows: CampaignSender[] = [];
  readonly accounts = new Set<string>();
  readonly published: Array<{ campaignId: string; version: number; steps: StepDefinition[] }> = [];
  readonly locked: string[] = [];
  /** Names taken in the workspace (the unique index). */
  readonly names = new Set<string>();
  private em: EntityManager = noDatabase;

  constructor() {
    super(noDatabase);
  }
  override withManager(em: EntityManager) {
    this.em = em;
    return this;
  }
  private inTransaction() {
    expect(this.em).toBe(TX);
  }
  add(attrs: Partial<Campaign> = {}): Campaign {
    const campaign = Object.assign(new Campaign(), {
      id: randomUUID(),
      workspaceId: WS,
      name: `Campaign ${this.campaigns.size + 1}`,
      description: null,
      status: CampaignStatus.DRAFT,
      customFields: [],
      sequenceVersion: 1,
      activatedAt: null,
      ...attrs,
    });
    this.campaigns.set(campaign.id, campaign);
    this.names.add(campaign.name.toLowerCase());
    return campaign;
  }
  addSenderRow(campaignId: string, accountId: string) {
    this.accounts.add(accountId);
    this.senderRows.push(Object.assign(new CampaignSender(), { campaignId, accountId }));
  }
  override async find(workspaceId: string, id: string) {
    const c = this.campaigns.get(id);
    return c && c.workspaceId === workspaceId ? c : null;
  }
  override async findLocked(workspaceId: string, id: string) {
    this.inTransaction();
    this.locked.push(id);
    return this.find(workspaceId, id);
  }
  override build(fields: NewCampaign) {
    return Object.assign(new Campaign(), fields);
  }
  override async saveInSavepoint(campaign: Campaign) {
    this.inTransaction();
    const stored = campaign.id ? this.campaigns.get(campaign.id) : undefined;
    const name = campaign.name.toLowerCase();
    if (this.names.has(name) && stored?.name.toLowerCase() !== name) {
      const driverError = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'UQ_campaign_workspace_name' });
      throw new QueryFailedError('INSERT INTO campaign', [], driverError);
    }
    campaign.id ??= randomUUID();
    this.names.add(name);
    this.campaigns.set(campaign.id, campaign);
  }
  override async save(campaign: Campaign) {
    this.inTransaction();
    this.campaigns.set(campaign.id, campaign);
  }
  override async countSenders(campaignId: string) {
    return this.senderRows.filter((s) => s.campaignId === campaignId).length;
  }
  override async senders(campaignId: string) {
    return this.senderRows.filter((s) => s.campaignId === campaignId);
  }
  override async accountsIn(_workspaceId: string, ids: string[]) {
    return ids.filter((id) => this.accounts.has(id)).map((id) => ({ id }) as LinkedInAccount);
  }
  override async removeSenders(campaignId: string, accountIds: string[]) {
    this.inTransaction();
    for (const s of this.senderRows.filter((r) => r.campaignId === campaignId && accountIds.includes(r.accountId))) {
      this.senderRows.splice(this.senderRows.indexOf(s), 1);
    }
  }
  override async addSender(campaignId: string, accountId: string) {
    this.inTransaction();
    this.senderRows.push(Object.assign(new CampaignSender(), { campaignId, accountId }));
  }
  override async insertSteps(campaignId: string, version: number, steps: StepDefinition[]) {
    this.inTransaction();
    this.published.push({ campaignId, version, steps });
  }
}

/** What the leads side was asked, in order; started leads per sender for the pinning rule. */
class FakeLeads implements CampaignLeads {
  readonly calls: string[] = [];
  readonly started = new Map<string, number>();
  async countStartedOn(em: EntityManager, _campaignId: string, accountIds: string[]) {
    expect(em).toBe(TX);
    return accountIds.reduce((n, id) => n + (this.started.get(id) ?? 0), 0);
  }
  async releaseSenders(em: EntityManager, _campaignId: string, accountIds: string[]) {
    expect(em).toBe(TX);
    this.calls.push(`release ${accountIds.join(',')}`);
  }
  async assignSenders(em: EntityManager) {
    expect(em).toBe(TX);
    this.calls.push('assign');
  }
  async reschedule(em: EntityManager) {
    expect(em).toBe(TX);
    this.calls.push('reschedule');
  }
  async endCampaign(em: EntityManager, _campaignId: string, at: Date) {
    expect(em).toBe(TX);
    this.calls.push(`end ${at.toISOString()}`);
  }
}

function setup() {
  const campaigns = new FakeCampaigns();
  const leads = new FakeLeads();
  const woken: number[] = [];
  const clock = new VirtualClock(NOW);
  const service = new CampaignService(runner, campaigns, leads, clock, () => woken.push(1));
  return { campaigns, leads, service, woken, clock };
}

describe('CampaignService.setStatus', () => {
  it('refuses to activate a campaign without a sender, and touches no lead', async () => {
    const { campaigns, leads, service, woken } = setup();
    const campaign = campaigns.add();
    await expect(service.setStatus(viewer, campaign.id, CampaignStatus.ACTIVE)).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_READY' });
    expect(campaigns.campaigns.get(campaign.id)!.status).toBe(CampaignStatus.DRAFT);
    expect(leads.calls).toEqual([]);
    expect(woken).toEqual([]);
  });

  it('activates: stamps activatedAt once, pins leads to senders, reschedules, then wakes the engine', async () => {
    const { campaigns, leads, service, woken, clock } = setup();
    const campaign = campaigns.add();
    campaigns.addSenderRow(campaign.id, randomUUID());
    const active = await service.setStatus(viewer, campaign.id, CampaignStatus.ACTIVE);
    expect(active).toMatchObject({ status: CampaignStatus.ACTIVE, activatedAt: NOW });
    clock.advance(3_600_000);
    expect(campaigns.locked).toEqual([campaign.id]);
    expect(leads.calls).toEqual(['assign', 'reschedule']);
    expect(woken).toEqual([1]);

    await service.setStatus(viewer, campaign.id, CampaignStatus.PAUSED);
    const again = await service.setStatus(viewer, campaign.id, CampaignStatus.ACTIVE);
    expect(again.activatedAt).toEqual(NOW);
  });

  it('ends the campaign’s leads when it completes, before rescheduling', async () => {
    const { campaigns, leads, service, woken } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.ACTIVE });
    await service.setStatus(viewer, campaign.id, CampaignStatus.COMPLETED);
    expect(leads.calls).toEqual([`end ${NOW.toISOString()}`, 'reschedule']);
    expect(woken).toEqual([]);
  });

  it('refuses a transition the lifecycle does not allow, naming the allowed ones', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.COMPLETED });
    await expect(service.setStatus(viewer, campaign.id, CampaignStatus.ACTIVE)).rejects.toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
      details: { from: CampaignStatus.COMPLETED, to: CampaignStatus.ACTIVE, allowed: [CampaignStatus.ARCHIVED] },
    });
    expect(leads.calls).toEqual([]);
  });

  it('changes nothing when the status is already the one asked', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.PAUSED });
    await service.setStatus(viewer, campaign.id, CampaignStatus.PAUSED);
    expect(leads.calls).toEqual([]);
  });

  it('does not find another workspace’s campaign', async () => {
    const { campaigns, service } = setup();
    const campaign = campaigns.add({ workspaceId: randomUUID() });
    await expect(service.setStatus(viewer, campaign.id, CampaignStatus.ACTIVE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('CampaignService.update (senders)', () => {
  it('refuses to remove a sender that started leads are pinned to, and removes nothing', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.ACTIVE });
    const [kept, pinned] = [randomUUID(), randomUUID()];
    campaigns.addSenderRow(campaign.id, kept);
    campaigns.addSenderRow(campaign.id, pinned);
    leads.started.set(pinned, 2);
    await expect(service.update(viewer, campaign.id, { senderAccountIds: [kept] })).rejects.toMatchObject({
      code: 'SENDER_HAS_ACTIVE_LEADS',
      details: { accountIds: [pinned] },
    });
    expect(campaigns.senderRows.map((s) => s.accountId)).toEqual([kept, pinned]);
    expect(leads.calls).toEqual([]);
  });

  it('replaces senders: unpins leads of the removed one, adds the new one, then reassigns and reschedules', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.ACTIVE });
    const [old, fresh] = [randomUUID(), randomUUID()];
    campaigns.addSenderRow(campaign.id, old);
    campaigns.accounts.add(fresh);
    await service.update(viewer, campaign.id, { senderAccountIds: [fresh, fresh] });
    expect(campaigns.senderRows.map((s) => s.accountId)).toEqual([fresh]);
    expect(leads.calls).toEqual([`release ${old}`, 'assign', 'reschedule']);
  });

  it('refuses accounts of no sender in the workspace', async () => {
    const { campaigns, service } = setup();
    const campaign = campaigns.add();
    const unknown = randomUUID();
    await expect(service.update(viewer, campaign.id, { senderAccountIds: [unknown] })).rejects.toMatchObject({
      code: 'UNKNOWN_ACCOUNT',
      details: { accountIds: [unknown] },
    });
  });

  it('refuses edits of a finished campaign', async () => {
    const { campaigns, service } = setup();
    const campaign = campaigns.add({ status: CampaignStatus.ARCHIVED });
    await expect(service.update(viewer, campaign.id, { name: 'New' })).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_EDITABLE' });
  });

  it('leaves leads alone when the senders are not part of the change', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add();
    const updated = await service.update(viewer, campaign.id, { name: '  Renamed  ', description: '  ' });
    expect(updated).toMatchObject({ name: 'Renamed', description: null });
    expect(leads.calls).toEqual([]);
  });
});

describe('CampaignService.create', () => {
  it('creates a draft with the default sequence, custom field names normalized', async () => {
    const { campaigns, service } = setup();
    const campaign = await service.create(viewer, { name: ' Spring ', customFields: ['Job Title', 'job-title', 'industry'] });
    expect(campaign).toMatchObject({ workspaceId: WS, name: 'Spring', status: CampaignStatus.DRAFT, sequenceVersion: 1 });
    expect(campaign.customFields).toEqual(['job_title', 'industry']);
    expect(campaigns.published).toHaveLength(1);
    expect(campaigns.published[0]).toMatchObject({ campaignId: campaign.id, version: 1 });
    expect(campaigns.published[0].steps.map((s) => s.kind)).toEqual([StepKind.INVITE, StepKind.MESSAGE, StepKind.MESSAGE, StepKind.MESSAGE]);
    // The first message after the invite waits for acceptance (withDefaults).
    expect(campaigns.published[0].steps[1].acceptTimeoutDays).toBe(21);
  });

  it('refuses a name the workspace uses already, whatever its case', async () => {
    const { campaigns, service } = setup();
    campaigns.add({ name: 'Spring' });
    await expect(service.create(viewer, { name: 'SPRING' })).rejects.toMatchObject({ code: 'CAMPAIGN_NAME_TAKEN' });
    expect(campaigns.published).toEqual([]);
  });

  it('refuses custom fields that clash with a standard variable or are not names', async () => {
    const { campaigns, service } = setup();
    await expect(service.create(viewer, { name: 'A', customFields: ['First Name', '9lives'] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { fields: [{ field: 'customFields', constraints: ['"first_name" is not allowed', '"9lives" is not allowed'] }] },
    });
    expect(campaigns.campaigns.size).toBe(0);
  });

  it('refuses a sequence using an undeclared variable, before writing anything', async () => {
    const { campaigns, service } = setup();
    const steps = [{ kind: StepKind.MESSAGE, delayMinutes: 0, template: 'Hi {{industry}}' }];
    await expect(service.create(viewer, { name: 'A', steps })).rejects.toMatchObject({ code: 'INVALID_SEQUENCE' });
    expect(campaigns.campaigns.size).toBe(0);
  });
});

describe('CampaignService.setSequence', () => {
  it('publishes the next version and reschedules the leads', async () => {
    const { campaigns, leads, service } = setup();
    const campaign = campaigns.add({ sequenceVersion: 3 });
    await service.setSequence(viewer, campaign.id, [{ kind: StepKind.MESSAGE, delayMinutes: 60, template: 'Hello' }]);
    expect(campaigns.published).toEqual([
      { campaignId: campaign.id, version: 4, steps: [{ kind: StepKind.MESSAGE, delayMinutes: 60, template: 'Hello', acceptTimeoutDays: null }] },
    ]);
    expect(leads.calls).toEqual(['reschedule']);
  });
});

describe('lateCampaignLeads', () => {
  it('refuses use before the leads module binds it, then forwards every call', async () => {
    const late = lateCampaignLeads();
    await expect(async () => late.leads.reschedule(TX, 'c')).rejects.toThrow(/not bound/);
    const leads = new FakeLeads();
    late.bind(leads);
    await late.leads.assignSenders(TX, 'c');
    await late.leads.releaseSenders(TX, 'c', ['a']);
    await late.leads.endCampaign(TX, 'c', NOW);
    await late.leads.reschedule(TX, 'c');
    leads.started.set('a', 3);
    expect(await late.leads.countStartedOn(TX, 'c', ['a'])).toBe(3);
    expect(leads.calls).toEqual(['assign', 'release a', `end ${NOW.toISOString()}`, 'reschedule']);
  });
});
