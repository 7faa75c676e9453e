import {
  AddLeadsDocument,
  AddToDoNotContactDocument,
  CampaignDocument,
  CreateCampaignDocument,
  DoNotContactDocument,
  ImportLeadsCsvDocument,
  LeadDocument,
  LeadTimelineDocument,
  LeadsDocument,
  RemoveFromDoNotContactDocument,
  RemoveLeadDocument,
  SetCampaignStatusDocument,
  SetSequenceDocument,
} from '../graphql/generated';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { linkSandboxAccount } from '../factories/account.factory';
import { markConnectedOnVersion, setLeadStatus } from '../factories/lead.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';

describe('leads', () => {
  let t: TestApp;
  let admin: Session;
  let senders: string[];
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminSession(t);
    senders = [(await linkSandboxAccount(t, admin.token)).id, (await linkSandboxAccount(t, admin.token)).id];
  });
  afterAll(() => t.stop());

  async function campaign(opts: { senders?: string[]; session?: Session } = {}) {
    const session = opts.session ?? admin;
    const { createCampaign } = await gqlOk(
      t.graphqlUrl,
      CreateCampaignDocument,
      { input: { name: `Leads campaign ${++n}`, senderAccountIds: opts.senders ?? senders } },
      session.token,
    );
    return createCampaign.id;
  }
  const add = (campaignId: string, leads: object[], token = admin.token) =>
    gql(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: leads as never }, token);
  const leadsOf = async (campaignId: string, token = admin.token) =>
    (await gqlOk(t.graphqlUrl, LeadsDocument, { campaignId, first: 500 }, token)).leads.nodes;

  it('should report every row: created, invalid, repeated, excluded, and active elsewhere', async () => {
    const elsewhere = await campaign();
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: elsewhere, leads: [{ publicIdentifier: 'busy-bob' }] }, admin.token);
    await gqlOk(t.graphqlUrl, AddToDoNotContactDocument, { entries: [{ publicIdentifier: 'never-nina' }] }, admin.token);
    const target = await campaign();

    const res = await add(target, [
      { publicIdentifier: 'https://www.linkedin.com/in/Alice-Smith/', firstName: 'Alice', company: 'Acme', customFields: { Industry: 'Steel' } },
      { firstName: 'No identifier' },
      { publicIdentifier: 'alice-smith' },
      { providerId: 'ACoAAB1234567890abcdef' },
      { publicIdentifier: 'never-nina' },
      { publicIdentifier: 'busy-bob' },
      { publicIdentifier: 'carol', customFields: { 'first name': 'x' } },
      { publicIdentifier: 'not a/slug' },
    ]);
    expect(res.errors).toBeUndefined();
    const result = res.data!.addLeads;
    expect(result.rows.map((r) => [r.row, r.outcome])).toEqual([
      [1, 'CREATED'],
      [2, 'INVALID'],
      [3, 'DUPLICATE'],
      [4, 'CREATED'],
      [5, 'EXCLUDED'],
      [6, 'DUPLICATE'],
      [7, 'INVALID'],
      [8, 'INVALID'],
    ]);
    expect(result.rows[2].reason).toBe('same person as row 1');
    expect(result.rows[5].reason).toMatch(/active sequence of campaign "Leads campaign \d+"/);
    expect(result).toMatchObject({ created: 2, duplicates: 2, excluded: 1, invalid: 3 });

    const leads = await leadsOf(target);
    expect(leads.map((l) => l.publicIdentifier ?? l.providerId).sort()).toEqual(['ACoAAB1234567890abcdef', 'alice-smith']);
    const alice = leads.find((l) => l.publicIdentifier === 'alice-smith')!;
    expect(alice).toMatchObject({ firstName: 'Alice', company: 'Acme', customFields: { industry: 'Steel' }, status: 'PENDING_INVITE' });
    expect(result.rows[0].leadId).toBe(alice.id);
    const { campaign: c } = await gqlOk(t.graphqlUrl, CampaignDocument, { id: target }, admin.token);
    expect(c.customFields).toContain('industry');

    const again = (await add(target, [{ publicIdentifier: 'ALICE-SMITH' }])).data!.addLeads;
    expect(again.rows[0]).toMatchObject({ outcome: 'DUPLICATE', reason: 'already in this campaign' });
  });

  it('should keep one active sequence per person across campaigns with a database constraint', async () => {
    const first = await campaign();
    const second = await campaign();
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: first, leads: [{ providerId: 'ACoAAConstraint000001' }] }, admin.token);
    // Raw SQL on purpose: the app refuses a second active lead before writing; only a direct write reaches the constraint.
    await expect(
      t.app.dataSource.query(
        `INSERT INTO lead (workspace_id, campaign_id, provider_id) VALUES ($1, $2, 'ACoAAConstraint000001')`,
        [admin.workspaceId, second],
      ),
    ).rejects.toThrow(/UQ_lead_active_provider_id/);
    // Another workspace may hold the same person.
    const other = await newSession(t);
    const theirs = await campaign({ senders: [], session: other });
    const res = (await add(theirs, [{ providerId: 'ACoAAConstraint000001' }], other.token)).data!.addLeads;
    expect(res.created).toBe(1);
  });

  it('should import CSV with header aliases and custom columns, reporting bad lines by number', async () => {
    const target = await campaign();
    const csv = [
      'LinkedIn URL,First Name,Last Name,Company,Job Title,member_id',
      'https://linkedin.com/in/dave-d,Dave,Doe,"Doe, Inc.",CTO,',
      '',
      'erin-e,Erin,,Acme,CEO,ACoAAErin00000000001',
      'frank,Frank,Fox',
      ',,,,,',
      '"https://uk.linkedin.com/in/gina-g?trk=x",Gina,"Multi',
      'line",Globex,VP,',
    ].join('\n');
    const { importLeadsCsv } = await gqlOk(t.graphqlUrl, ImportLeadsCsvDocument, { campaignId: target, csv }, admin.token);
    expect(importLeadsCsv.rows.map((r) => [r.row, r.outcome])).toEqual([
      [2, 'CREATED'],
      [4, 'CREATED'],
      [5, 'INVALID'],
      [6, 'INVALID'],
      [8, 'CREATED'],
    ]);
    expect(importLeadsCsv.rows[2].reason).toBe('expected 6 columns, found 3');
    const leads = await leadsOf(target);
    expect(leads.find((l) => l.publicIdentifier === 'dave-d')).toMatchObject({ company: 'Doe, Inc.', customFields: { job_title: 'CTO' } });
    expect(leads.find((l) => l.publicIdentifier === 'erin-e')).toMatchObject({ providerId: 'ACoAAErin00000000001', lastName: null });
    expect(leads.find((l) => l.publicIdentifier === 'gina-g')).toMatchObject({ lastName: 'Multi\nline' });
    expect((await gqlOk(t.graphqlUrl, CampaignDocument, { id: target }, admin.token)).campaign.customFields).toContain('job_title');
  });

  it('should refuse an unparseable CSV, a CSV without identifier column, and a closed campaign, writing nothing', async () => {
    const target = await campaign();
    const broken = 'public_identifier,first_name\nok-one,Ok\n"unclosed,Bad\nok-two,Ok';
    expect(errorCode(await gql(t.graphqlUrl, ImportLeadsCsvDocument, { campaignId: target, csv: broken }, admin.token))).toBe('INVALID_CSV');
    const noId = 'first_name,company\nA,B';
    expect(errorCode(await gql(t.graphqlUrl, ImportLeadsCsvDocument, { campaignId: target, csv: noId }, admin.token))).toBe('INVALID_CSV');
    expect(await leadsOf(target)).toEqual([]);

    const closed = await campaign({ senders: [] });
    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: closed, status: 'ARCHIVED' }, admin.token);
    expect(errorCode(await add(closed, [{ publicIdentifier: 'late-larry' }]))).toBe('CAMPAIGN_NOT_EDITABLE');
    expect(await leadsOf(closed)).toEqual([]);
    const other = await newSession(t);
    expect(errorCode(await add(target, [{ publicIdentifier: 'sneaky' }], other.token))).toBe('NOT_FOUND');
    expect(await leadsOf(target)).toEqual([]);
  });

  it('should spread leads over the senders and schedule them only while the campaign is active', async () => {
    const target = await campaign();
    await gqlOk(
      t.graphqlUrl,
      AddLeadsDocument,
      { campaignId: target, leads: ['p1', 'p2', 'p3', 'p4'].map((p) => ({ publicIdentifier: `spread-${p}` })) },
      admin.token,
    );
    let leads = await leadsOf(target);
    expect(leads.filter((l) => l.accountId === senders[0])).toHaveLength(2);
    expect(leads.filter((l) => l.accountId === senders[1])).toHaveLength(2);
    expect(leads.every((l) => l.nextActionAt === null && l.waitingReason === 'CAMPAIGN_DRAFT')).toBe(true);

    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: target, status: 'ACTIVE' }, admin.token);
    leads = await leadsOf(target);
    // The first step (an invite, no delay) is due as soon as the lead is added.
    expect(leads.every((l) => l.nextActionAt === l.createdAt && l.waitingReason === 'WAITING_FOR_DELAY')).toBe(true);

    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: target, status: 'PAUSED' }, admin.token);
    leads = await leadsOf(target);
    expect(leads.every((l) => l.nextActionAt === null && l.waitingReason === 'CAMPAIGN_PAUSED')).toBe(true);

    const { lead } = await gqlOk(t.graphqlUrl, LeadDocument, { id: leads[0].id }, admin.token);
    expect(lead.campaign.id).toBe(target);
    expect(senders).toContain(lead.account?.id);
  });

  it('should keep started leads on their sequence version when the sequence changes mid-campaign', async () => {
    const target = await campaign();
    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: target, status: 'ACTIVE' }, admin.token);
    const { addLeads } = await gqlOk(
      t.graphqlUrl,
      AddLeadsDocument,
      { campaignId: target, leads: [{ publicIdentifier: 'started-sam' }, { publicIdentifier: 'fresh-fay' }] },
      admin.token,
    );
    const [sam, fay] = ['started-sam', 'fresh-fay'];
    // Sam has sent the invite of version 1 and was accepted.
    const sentAt = new Date('2026-11-20T10:00:00.000Z');
    await markConnectedOnVersion(t.app.dataSource, addLeads.rows[0].leadId!, { sequenceVersion: 1, sentAt });

    const { setSequence } = await gqlOk(
      t.graphqlUrl,
      SetSequenceDocument,
      {
        campaignId: target,
        steps: [
          { kind: 'INVITE', delayMinutes: 120 },
          { kind: 'MESSAGE', delayMinutes: 60, template: 'v2 hello' },
        ],
      },
      admin.token,
    );
    expect(setSequence.sequenceVersion).toBe(2);
    const leads = await leadsOf(target);
    const samLead = leads.find((l) => l.publicIdentifier === sam)!;
    const fayLead = leads.find((l) => l.publicIdentifier === fay)!;
    // Sam continues version 1: its step 1 comes 4320 minutes after the last step sent.
    expect(samLead.sequenceVersion).toBe(1);
    expect(new Date(samLead.nextActionAt!).getTime()).toBe(sentAt.getTime() + 4320 * 60_000);
    // Fay has not started: she follows version 2, whose first step waits 120 minutes.
    expect(fayLead.sequenceVersion).toBeNull();
    expect(new Date(fayLead.nextActionAt!).getTime()).toBe(new Date(fayLead.createdAt).getTime() + 120 * 60_000);
  });

  it('should exclude active leads added to do-not-contact, with the reason on their timeline', async () => {
    const target = await campaign();
    const created = (
      await gqlOk(
        t.graphqlUrl,
        AddLeadsDocument,
        { campaignId: target, leads: [{ publicIdentifier: 'dnc-dan' }, { providerId: 'ACoAADncProvider00001' }, { publicIdentifier: 'kept-kim' }] },
        admin.token,
      )
    ).addLeads;
    const { addToDoNotContact } = await gqlOk(
      t.graphqlUrl,
      AddToDoNotContactDocument,
      { entries: [{ publicIdentifier: 'linkedin.com/in/DNC-Dan', reason: 'asked' }, { providerId: 'ACoAADncProvider00001' }] },
      admin.token,
    );
    expect(addToDoNotContact.map((d) => d.publicIdentifier ?? d.providerId)).toEqual(['dnc-dan', 'ACoAADncProvider00001']);

    const leads = await leadsOf(target);
    expect(leads.filter((l) => l.status === 'EXCLUDED').map((l) => l.statusReason)).toEqual(['DO_NOT_CONTACT', 'DO_NOT_CONTACT']);
    expect(leads.find((l) => l.publicIdentifier === 'kept-kim')!.status).toBe('PENDING_INVITE');

    const { leadTimeline } = await gqlOk(t.graphqlUrl, LeadTimelineDocument, { leadId: created.rows[0].leadId! }, admin.token);
    expect(leadTimeline.events.map((e) => [e.type, e.reason])).toEqual([
      ['LEAD_ADDED', null],
      ['STATUS_CHANGED', 'DO_NOT_CONTACT'],
    ]);
    expect(leadTimeline.events[1].meta).toEqual({ from: 'pending_invite', to: 'excluded' });

    const listed = (await gqlOk(t.graphqlUrl, DoNotContactDocument, { first: 100 }, admin.token)).doNotContact.nodes;
    const dan = listed.find((d) => d.publicIdentifier === 'dnc-dan')!;
    expect(dan.reason).toBe('asked');
    expect((await gqlOk(t.graphqlUrl, RemoveFromDoNotContactDocument, { id: dan.id }, admin.token)).removeFromDoNotContact).toBe(true);
    expect(errorCode(await gql(t.graphqlUrl, RemoveFromDoNotContactDocument, { id: dan.id }, admin.token))).toBe('NOT_FOUND');

    const bad = await gql(t.graphqlUrl, AddToDoNotContactDocument, { entries: [{ publicIdentifier: 'ok-person' }, { reason: 'nobody' }] }, admin.token);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const after = (await gqlOk(t.graphqlUrl, DoNotContactDocument, { first: 100 }, admin.token)).doNotContact.nodes;
    expect(after.map((d) => d.publicIdentifier)).not.toContain('ok-person');
  });

  it('should remove a lead by excluding it, idempotently, and refuse other workspaces', async () => {
    const target = await campaign();
    const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: target, leads: [{ publicIdentifier: 'gone-gus' }] }, admin.token);
    const id = addLeads.rows[0].leadId!;
    const other = await newSession(t);
    expect(errorCode(await gql(t.graphqlUrl, RemoveLeadDocument, { id }, other.token))).toBe('NOT_FOUND');
    const { removeLead } = await gqlOk(t.graphqlUrl, RemoveLeadDocument, { id }, admin.token);
    expect(removeLead).toMatchObject({ status: 'EXCLUDED', statusReason: 'REMOVED_BY_OPERATOR', nextActionAt: null });
    expect((await gqlOk(t.graphqlUrl, RemoveLeadDocument, { id }, admin.token)).removeLead.status).toBe('EXCLUDED');
    // Answered after all: responded, a status that is not active (the progress service would keep an excluded lead excluded).
    await setLeadStatus(t.app.dataSource, id, LeadStatus.RESPONDED);
    expect(errorCode(await gql(t.graphqlUrl, RemoveLeadDocument, { id }, admin.token))).toBe('LEAD_NOT_ACTIVE');
  });

  it('should free the people of a completed campaign for another campaign', async () => {
    const done = await campaign();
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: done, leads: [{ publicIdentifier: 'again-ann' }] }, admin.token);
    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: done, status: 'ACTIVE' }, admin.token);
    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: done, status: 'COMPLETED' }, admin.token);
    expect((await leadsOf(done))[0]).toMatchObject({ status: 'EXCLUDED', statusReason: 'CAMPAIGN_ENDED', nextActionAt: null });
    const next = await campaign();
    expect((await add(next, [{ publicIdentifier: 'again-ann' }])).data!.addLeads.created).toBe(1);
  });

  it('should filter leads by status and search, and page through them', async () => {
    const target = await campaign();
    const people = Array.from({ length: 7 }, (_, i) => ({ publicIdentifier: `page-p${i}`, company: i % 2 ? 'Initech' : 'Hooli' }));
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: target, leads: people }, admin.token);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { leads: { nodes: Array<{ publicIdentifier?: string | null }>; pageInfo: { endCursor?: string | null; hasNextPage: boolean } } } =
        await gqlOk(t.graphqlUrl, LeadsDocument, { campaignId: target, first: 3, after }, admin.token);
      seen.push(...page.leads.nodes.map((l) => l.publicIdentifier!));
      after = page.leads.pageInfo.hasNextPage ? page.leads.pageInfo.endCursor ?? null : null;
    } while (after);
    expect(seen.sort()).toEqual(people.map((p) => p.publicIdentifier).sort());
    const initech = (await gqlOk(t.graphqlUrl, LeadsDocument, { campaignId: target, search: 'initech', first: 50 }, admin.token)).leads.nodes;
    expect(initech).toHaveLength(3);
    const excluded = (await gqlOk(t.graphqlUrl, LeadsDocument, { campaignId: target, status: 'EXCLUDED', first: 50 }, admin.token)).leads.nodes;
    expect(excluded).toEqual([]);
  });

  it('should import 10,000 leads from CSV in one call', async () => {
    const target = await campaign();
    const rows = Array.from({ length: 10_000 }, (_, i) => `bulk-person-${i},First${i},Last${i},Company ${i % 50},${i % 7}`);
    const csv = ['public_identifier,first_name,last_name,company,segment', ...rows].join('\n');
    const { importLeadsCsv } = await gqlOk(t.graphqlUrl, ImportLeadsCsvDocument, { campaignId: target, csv }, admin.token);
    expect(importLeadsCsv).toMatchObject({ created: 10_000, duplicates: 0, excluded: 0, invalid: 0 });
    const [{ count }] = await t.app.dataSource.query(`SELECT count(*)::int AS count FROM lead WHERE campaign_id = $1`, [target]);
    expect(count).toBe(10_000);
    const [{ events }] = await t.app.dataSource.query(
      `SELECT count(*)::int AS events FROM lead_event WHERE campaign_id = $1 AND type = 'lead_added'`,
      [target],
    );
    expect(events).toBe(10_000);
  }, 60_000);
});
