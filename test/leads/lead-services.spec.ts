import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { VirtualClock } from '../../src/core/clock';
import { Campaign, CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import type { CampaignService } from '../../src/modules/campaigns/campaign.service';
import { DoNotContact } from '../../src/modules/leads/do-not-contact.entity';
import { DoNotContactRepository, type NewDoNotContact } from '../../src/modules/leads/do-not-contact.repository';
import { DoNotContactService } from '../../src/modules/leads/do-not-contact.service';
import { EventSource, LeadEventType } from '../../src/modules/leads/lead-event-type';
import { LeadEventRepository, type NewLeadEvent } from '../../src/modules/leads/lead-event.repository';
import type { PersonKeys } from '../../src/modules/leads/lead-identity';
import { LeadImportService } from '../../src/modules/leads/lead-import.service';
import type { LeadCandidate } from '../../src/modules/leads/lead-rows';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { Lead } from '../../src/modules/leads/lead.entity';
import { type BlockingLead, type LeadFilter, LeadRepository } from '../../src/modules/leads/lead.repository';
import { LeadService } from '../../src/modules/leads/lead.service';
import { ImportOutcome } from '../../src/modules/leads/lead.types';
import { adminOf, noDatabase } from '../support/no-database';

// The rules of LeadImportService, DoNotContactService and LeadService with in-memory
// repositories: which rows are created, duplicates or excluded and why, what an import asks of
// the schedule and the event log, and how the suppression list completes entries and stops leads.

const WS = randomUUID();
const viewer = adminOf(WS);
const NOW = new Date('2026-03-02T10:00:00Z');
const TX = { transaction: 'tx' } as unknown as EntityManager;
const runner = { transaction: <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => work(TX) };
const PROVIDER = 'ACoAAB1cDeFgHiJk';

class FakeLeads extends LeadRepository {
  readonly leads = new Map<string, Lead>();
  readonly blocking: BlockingLead[] = [];
  readonly calls: string[] = [];
  readonly exclusions: Array<{ filter: LeadFilter; reason: string; at: Date; source: EventSource }> = [];
  /** Public identifiers a concurrent import takes first (ON CONFLICT DO NOTHING skips them). */
  readonly takenConcurrently = new Set<string>();
  inserted: LeadCandidate[] = [];
  private em: EntityManager = noDatabase;

  constructor() {
    super(noDatabase);
  }
  override withManager(em: EntityManager) {
    this.em = em;
    return this;
  }
  add(attrs: Partial<Lead>): Lead {
    const lead = Object.assign(new Lead(), { id: randomUUID(), workspaceId: WS, campaignId: randomUUID(), status: LeadStatus.PENDING_INVITE, ...attrs });
    this.leads.set(lead.id, lead);
    return lead;
  }
  override async find(workspaceId: string, id: string) {
    const lead = this.leads.get(id);
    return lead && lead.workspaceId === workspaceId ? lead : null;
  }
  override async blockingLeads(workspaceId: string, _campaignId: string, publics: string[], providers: string[]) {
    expect(this.em).toBe(TX);
    return this.blocking.filter((b) => (b.publicIdentifier && publics.includes(b.publicIdentifier)) || (b.providerId && providers.includes(b.providerId)));
  }
  override async insertCandidates(workspaceId: string, campaignId: string, leads: LeadCandidate[], at: Date) {
    expect(this.em).toBe(TX);
    this.inserted = leads;
    return leads
      .filter((l) => !(l.publicIdentifier && this.takenConcurrently.has(l.publicIdentifier)))
      .map((l) => ({ id: `lead-${l.row}`, publicIdentifier: l.publicIdentifier, providerId: l.providerId, at }));
  }
  override async assignSenders(campaignId: string) {
    this.calls.push(`assign ${campaignId}`);
  }
  override async reschedule(campaignId: string, leadIds?: string[]) {
    this.calls.push(`reschedule ${campaignId} ${leadIds?.join(',')}`);
  }
  override async excludeActive(filter: LeadFilter, reason: string, at: Date, source: EventSource) {
    expect(this.em).toBe(TX);
    this.exclusions.push({ filter, reason, at, source });
    if ('leadIds' in filter) for (const id of filter.leadIds) this.leads.get(id)!.status = LeadStatus.EXCLUDED;
    return [];
  }
}

class FakeEvents extends LeadEventRepository {
  readonly events: NewLeadEvent[] = [];
  constructor() {
    super(noDatabase);
  }
  override withManager(em: EntityManager) {
    expect(em).toBe(TX);
    return this;
  }
  override async insert(events: NewLeadEvent[]) {
    this.events.push(...events);
  }
}

class FakeDoNotContact extends DoNotContactRepository {
  readonly entries: DoNotContact[] = [];
  constructor() {
    super(noDatabase);
  }
  override withManager(em: EntityManager) {
    expect(em).toBe(TX);
    return this;
  }
  list(person: PersonKeys, attrs: Partial<DoNotContact> = {}): DoNotContact {
    const entry = Object.assign(new DoNotContact(), { id: randomUUID(), workspaceId: WS, reason: null, source: 'operator', ...person, ...attrs });
    this.entries.push(entry);
    return entry;
  }
  override async matching(workspaceId: string, publics: string[], providers: string[]) {
    return this.entries.filter(
      (e) => e.workspaceId === workspaceId && ((e.publicIdentifier && publics.includes(e.publicIdentifier)) || (e.providerId && providers.includes(e.providerId))),
    );
  }
  override async findEntry(workspaceId: string, person: PersonKeys) {
    return (
      this.entries.find(
        (e) => e.workspaceId === workspaceId && ((person.publicIdentifier !== null && e.publicIdentifier === person.publicIdentifier) || (person.providerId !== null && e.providerId === person.providerId)),
      ) ?? null
    );
  }
  override async save(entry: DoNotContact) {
    return entry;
  }
  override async add(entry: NewDoNotContact) {
    return this.list(entry, entry);
  }
  override async remove(workspaceId: string, id: string) {
    const index = this.entries.findIndex((e) => e.id === id && e.workspaceId === workspaceId);
    if (index >= 0) this.entries.splice(index, 1);
    return index >= 0;
  }
}

/** The part of CampaignService an import uses: the campaign locked, and its custom fields extended. */
function fakeCampaigns(campaign: Campaign) {
  const declared: string[][] = [];
  const service = {
    lockEditable: async (em: EntityManager, _viewer: unknown, id: string) => {
      expect(em).toBe(TX);
      expect(id).toBe(campaign.id);
      return campaign;
    },
    declareCustomFields: async (em: EntityManager, _campaign: Campaign, names: string[]) => {
      expect(em).toBe(TX);
      declared.push(names);
    },
  };
  return { service: service as unknown as CampaignService, declared };
}

function importSetup() {
  const campaign = Object.assign(new Campaign(), { id: randomUUID(), workspaceId: WS, name: 'Spring', status: CampaignStatus.ACTIVE, customFields: [] });
  const leads = new FakeLeads();
  const events = new FakeEvents();
  const doNotContact = new FakeDoNotContact();
  const campaigns = fakeCampaigns(campaign);
  const woken: number[] = [];
  const service = new LeadImportService(runner, leads, events, doNotContact, campaigns.service, new VirtualClock(NOW), () => woken.push(1));
  return { campaign, leads, events, doNotContact, declared: campaigns.declared, service, woken };
}

describe('LeadImportService', () => {
  it('reports each row: created, repeated in the input, listed, in this campaign, active elsewhere, invalid', async () => {
    const { campaign, leads, doNotContact, service } = importSetup();
    doNotContact.list({ publicIdentifier: 'listed', providerId: null });
    leads.blocking.push(
      { publicIdentifier: 'here', providerId: null, campaignId: campaign.id, campaignName: campaign.name },
      { publicIdentifier: null, providerId: PROVIDER, campaignId: randomUUID(), campaignName: 'Autumn' },
    );
    const result = await service.addLeads(viewer, campaign.id, [
      { publicIdentifier: 'alice-a', customFields: { 'Job Title': 'CTO' } },
      { publicIdentifier: 'https://www.linkedin.com/in/Alice-A/' },
      { publicIdentifier: 'listed' },
      { publicIdentifier: 'here' },
      { providerId: PROVIDER },
      { firstName: 'Nobody' },
    ]);
    expect(result).toMatchObject({ created: 1, duplicates: 3, excluded: 1, invalid: 1 });
    expect(result.rows.map((r) => [r.row, r.outcome, r.reason])).toEqual([
      [1, ImportOutcome.CREATED, null],
      [2, ImportOutcome.DUPLICATE, 'same person as row 1'],
      [3, ImportOutcome.EXCLUDED, 'on the do-not-contact list'],
      [4, ImportOutcome.DUPLICATE, 'already in this campaign'],
      [5, ImportOutcome.DUPLICATE, 'in an active sequence of campaign "Autumn"'],
      [6, ImportOutcome.INVALID, 'a public identifier (or profile URL) or a provider id is required'],
    ]);
    expect(leads.inserted.map((c) => c.publicIdentifier)).toEqual(['alice-a']);
  });

  it('declares new custom fields, pins and schedules the created leads, logs lead_added, and wakes the engine', async () => {
    const { campaign, leads, events, declared, service, woken } = importSetup();
    await service.importCsv(viewer, campaign.id, 'public_identifier,Industry\nbob-b,Retail\ncarol-c,\n');
    expect(declared).toEqual([['industry']]);
    expect(leads.calls).toEqual([`assign ${campaign.id}`, `reschedule ${campaign.id} lead-2,lead-3`]);
    expect(events.events).toEqual(
      ['lead-2', 'lead-3'].map((leadId) => ({
        workspaceId: WS,
        campaignId: campaign.id,
        leadId,
        type: LeadEventType.LEAD_ADDED,
        occurredAt: NOW,
        source: EventSource.IMPORT,
        meta: { via: 'csv', by: viewer.userId },
      })),
    );
    expect(woken).toEqual([1]);
  });

  it('reports a person a concurrent import took first as a duplicate, and schedules nothing when none was created', async () => {
    const { campaign, leads, events, service, woken } = importSetup();
    leads.takenConcurrently.add('dave-d');
    const result = await service.addLeads(viewer, campaign.id, [{ publicIdentifier: 'dave-d' }]);
    expect(result.rows).toEqual([{ row: 1, outcome: ImportOutcome.DUPLICATE, reason: 'added concurrently by another import', leadId: null }]);
    expect(leads.calls).toEqual([]);
    expect(events.events).toEqual([]);
    expect(woken).toEqual([]);
  });

  it('refuses more than 20,000 rows before opening a transaction', async () => {
    const { campaign, service } = importSetup();
    const rows = Array.from({ length: 20_001 }, () => ({ publicIdentifier: 'x' }));
    await expect(service.addLeads(viewer, campaign.id, rows)).rejects.toMatchObject({ code: 'TOO_MANY_LEADS' });
  });
});

describe('DoNotContactService', () => {
  function setup() {
    const entries = new FakeDoNotContact();
    const leads = new FakeLeads();
    return { entries, leads, service: new DoNotContactService(runner, entries, leads, new VirtualClock(NOW)) };
  }

  it('completes an entry known by one identifier, adds new ones, and stops the matching active leads', async () => {
    const { entries, leads, service } = setup();
    const known = entries.list({ publicIdentifier: 'erin-e', providerId: null });
    const saved = await service.add(viewer, [
      { publicIdentifier: 'linkedin.com/in/Erin-E', providerId: PROVIDER },
      { publicIdentifier: 'frank-f', reason: '  asked us  ' },
    ]);
    expect(saved[0]).toBe(known);
    expect(known).toMatchObject({ publicIdentifier: 'erin-e', providerId: PROVIDER });
    expect(saved[1]).toMatchObject({ workspaceId: WS, publicIdentifier: 'frank-f', providerId: null, reason: 'asked us', source: 'operator' });
    expect(leads.exclusions).toEqual([
      {
        filter: { workspaceId: WS, publicIdentifiers: ['erin-e', 'frank-f'], providerIds: [PROVIDER] },
        reason: 'DO_NOT_CONTACT',
        at: NOW,
        source: EventSource.OPERATOR,
      },
    ]);
  });

  it('refuses an entry without a usable identifier, naming it, before writing anything', async () => {
    const { entries, leads, service } = setup();
    await expect(service.add(viewer, [{ publicIdentifier: 'gina-g' }, { providerId: 'no' }])).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { fields: [{ field: 'entries[1]' }] },
    });
    expect(entries.entries).toEqual([]);
    expect(leads.exclusions).toEqual([]);
  });

  it('removes only the workspace’s own entries', async () => {
    const { entries, service } = setup();
    const other = entries.list({ publicIdentifier: 'hank-h', providerId: null }, { workspaceId: randomUUID() });
    await expect(service.remove(viewer, other.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const own = entries.list({ publicIdentifier: 'hank-h', providerId: null });
    await expect(service.remove(viewer, own.id)).resolves.toBe(true);
    expect(entries.entries).toEqual([other]);
  });
});

describe('LeadService.remove', () => {
  function setup() {
    const leads = new FakeLeads();
    return { leads, service: new LeadService(runner, leads, new FakeEvents(), new VirtualClock(NOW)) };
  }

  it('excludes an active lead by the operator, once', async () => {
    const { leads, service } = setup();
    const lead = leads.add({ status: LeadStatus.INVITE_SENT });
    await expect(service.remove(viewer, lead.id)).resolves.toMatchObject({ status: LeadStatus.EXCLUDED });
    await service.remove(viewer, lead.id);
    expect(leads.exclusions).toEqual([{ filter: { leadIds: [lead.id] }, reason: 'REMOVED_BY_OPERATOR', at: NOW, source: EventSource.OPERATOR }]);
  });

  it('refuses a lead that finished its sequence', async () => {
    const { leads, service } = setup();
    const lead = leads.add({ status: LeadStatus.RESPONDED });
    await expect(service.remove(viewer, lead.id)).rejects.toMatchObject({ code: 'LEAD_NOT_ACTIVE' });
    expect(leads.exclusions).toEqual([]);
  });

  it('does not find another workspace’s lead', async () => {
    const { leads, service } = setup();
    const lead = leads.add({ workspaceId: randomUUID() });
    await expect(service.remove(viewer, lead.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
