import {
  CampaignDocument,
  CampaignsDocument,
  CreateCampaignDocument,
  SetCampaignStatusDocument,
  SetSequenceDocument,
  UpdateCampaignDocument,
} from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';

describe('campaigns', () => {
  let t: TestApp;
  let admin: Session;
  let senderId: string;
  let counter = 0;
  const name = (prefix = 'Campaign') => `${prefix} ${++counter}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminSession(t);
    senderId = (await linkSandboxAccount(t, admin.token)).id;
  });
  afterAll(() => t.stop());

  const create = (input: Record<string, unknown>) =>
    gql(t.graphqlUrl, CreateCampaignDocument, { input: { name: name(), ...input } as never }, admin.token);

  it('should create a DRAFT campaign with the default 4-step sequence (0 / 3 / 6 / 9 days)', async () => {
    const { createCampaign } = await gqlOk(
      t.graphqlUrl,
      CreateCampaignDocument,
      { input: { name: 'Q4 founders', description: 'CEOs', senderAccountIds: [senderId] } },
      admin.token,
    );
    expect(createCampaign).toMatchObject({ name: 'Q4 founders', description: 'CEOs', status: 'DRAFT', sequenceVersion: 1 });
    expect(createCampaign.senders.map((s) => s.id)).toEqual([senderId]);
    expect(createCampaign.steps.map((s) => [s.kind, s.delayMinutes])).toEqual([
      ['INVITE', 0],
      ['MESSAGE', 4320],
      ['MESSAGE', 8640],
      ['MESSAGE', 12960],
    ]);
    expect(createCampaign.steps[1].acceptTimeoutDays).toBe(21);
  });

  it('should refuse a name already used in the workspace, whatever its case, but allow it in another workspace', async () => {
    await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Unique Name' } }, admin.token);
    const res = await gql(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'unique name' } }, admin.token);
    expect(errorCode(res)).toBe('CAMPAIGN_NAME_TAKEN');
    const other = await newSession(t);
    await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Unique Name' } }, other.token);
  });

  it.each([
    ['an unknown variable', [{ kind: 'MESSAGE', delayMinutes: 0, template: 'Hi {{frist_name}}' }]],
    ['an INVITE after a MESSAGE', [{ kind: 'MESSAGE', delayMinutes: 0, template: 'Hi' }, { kind: 'INVITE', delayMinutes: 10 }]],
    ['an invite note over 300 characters', [{ kind: 'INVITE', delayMinutes: 0, template: 'x'.repeat(301) }]],
    ['a MESSAGE without text', [{ kind: 'INVITE', delayMinutes: 0 }, { kind: 'MESSAGE', delayMinutes: 60 }]],
    ['a negative delay', [{ kind: 'INVITE', delayMinutes: -5 }]],
    ['no step at all', []],
  ])('should refuse a sequence with %s (INVALID_SEQUENCE) and create nothing', async (_case, steps) => {
    const before = (await gqlOk(t.graphqlUrl, CampaignsDocument, { first: 500 }, admin.token)).campaigns.nodes.length;
    const res = await gql(t.graphqlUrl, CreateCampaignDocument, { input: { name: name('Bad'), steps: steps as never } }, admin.token);
    expect(errorCode(res)).toBe('INVALID_SEQUENCE');
    expect((res.errors![0].extensions!.problems as unknown[]).length).toBeGreaterThan(0);
    const after = (await gqlOk(t.graphqlUrl, CampaignsDocument, { first: 500 }, admin.token)).campaigns.nodes.length;
    expect(after).toBe(before);
  });

  it('should accept templates using declared custom fields and fallbacks', async () => {
    const { createCampaign } = await gqlOk(
      t.graphqlUrl,
      CreateCampaignDocument,
      {
        input: {
          name: name(),
          customFields: ['Industry'],
          steps: [
            { kind: 'INVITE', delayMinutes: 0, template: 'Hi {{first_name|there}}, fellow {{industry}} person' },
            { kind: 'MESSAGE', delayMinutes: 1440, template: 'Thanks {{full_name}} at {{company|your company}}' },
          ],
        },
      },
      admin.token,
    );
    expect(createCampaign.customFields).toEqual(['industry']);
    const removal = await gql(t.graphqlUrl, UpdateCampaignDocument, { id: createCampaign.id, input: { customFields: [] } }, admin.token);
    expect(errorCode(removal)).toBe('INVALID_SEQUENCE');
  });

  it('should refuse a sender account from another workspace with UNKNOWN_ACCOUNT', async () => {
    const other = await newSession(t);
    const foreign = await linkSandboxAccount(t, other.token);
    expect(errorCode(await create({ senderAccountIds: [foreign.id] }))).toBe('UNKNOWN_ACCOUNT');
  });

  it('should walk the lifecycle and refuse invalid transitions with the allowed ones', async () => {
    const { createCampaign: c } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: name() } }, admin.token);
    const set = (status: 'DRAFT' | 'ACTIVE' | 'PAUSED' | 'COMPLETED' | 'ARCHIVED') =>
      gql(t.graphqlUrl, SetCampaignStatusDocument, { id: c.id, status }, admin.token);

    const paused = await set('PAUSED');
    expect(errorCode(paused)).toBe('INVALID_STATUS_TRANSITION');
    expect(paused.errors![0].extensions).toMatchObject({ from: 'DRAFT', to: 'PAUSED', allowed: ['ACTIVE', 'ARCHIVED'] });
    expect(errorCode(await set('ACTIVE'))).toBe('CAMPAIGN_NOT_READY');

    await gqlOk(t.graphqlUrl, UpdateCampaignDocument, { id: c.id, input: { senderAccountIds: [senderId] } }, admin.token);
    const active = await set('ACTIVE');
    expect(active.data?.setCampaignStatus).toMatchObject({ status: 'ACTIVE' });
    expect(active.data?.setCampaignStatus.activatedAt).not.toBeNull();
    expect((await set('PAUSED')).data?.setCampaignStatus.status).toBe('PAUSED');
    expect((await set('ACTIVE')).data?.setCampaignStatus.status).toBe('ACTIVE');
    expect(errorCode(await set('ARCHIVED'))).toBe('INVALID_STATUS_TRANSITION');
    expect((await set('COMPLETED')).data?.setCampaignStatus.status).toBe('COMPLETED');
    expect(errorCode(await set('ACTIVE'))).toBe('INVALID_STATUS_TRANSITION');
    expect(errorCode(await gql(t.graphqlUrl, UpdateCampaignDocument, { id: c.id, input: { name: 'late' } }, admin.token))).toBe(
      'CAMPAIGN_NOT_EDITABLE',
    );
    expect((await set('ARCHIVED')).data?.setCampaignStatus.status).toBe('ARCHIVED');
    expect(errorCode(await set('DRAFT'))).toBe('INVALID_STATUS_TRANSITION');
  });

  it('should publish a new sequence version and keep the old one', async () => {
    const { createCampaign: c } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: name() } }, admin.token);
    const { setSequence } = await gqlOk(
      t.graphqlUrl,
      SetSequenceDocument,
      { campaignId: c.id, steps: [{ kind: 'INVITE', delayMinutes: 0, template: 'Hello {{first_name|there}}' }, { kind: 'MESSAGE', delayMinutes: 60, template: 'Hi', acceptTimeoutDays: 7 }] },
      admin.token,
    );
    expect(setSequence.sequenceVersion).toBe(2);
    expect(setSequence.steps.map((s) => [s.version, s.kind, s.delayMinutes, s.acceptTimeoutDays])).toEqual([
      [2, 'INVITE', 0, null],
      [2, 'MESSAGE', 60, 7],
    ]);
    const bad = await gql(t.graphqlUrl, SetSequenceDocument, { campaignId: c.id, steps: [{ kind: 'MESSAGE', delayMinutes: 0, template: '{{nope}}' }] }, admin.token);
    expect(errorCode(bad)).toBe('INVALID_SEQUENCE');
    expect((await gqlOk(t.graphqlUrl, CampaignDocument, { id: c.id }, admin.token)).campaign.sequenceVersion).toBe(2);
  });

  it('should page through campaigns with a cursor and filter by status', async () => {
    const other = await newSession(t);
    const names = ['A', 'B', 'C', 'D', 'E'];
    for (const n of names) await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: n } }, other.token);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { campaigns: { nodes: Array<{ name: string }>; pageInfo: { endCursor?: string | null; hasNextPage: boolean } } } =
        await gqlOk(t.graphqlUrl, CampaignsDocument, { first: 2, after }, other.token);
      seen.push(...page.campaigns.nodes.map((n) => n.name));
      if (!page.campaigns.pageInfo.hasNextPage) break;
      after = page.campaigns.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(names);
    expect((await gqlOk(t.graphqlUrl, CampaignsDocument, { status: 'ACTIVE' }, other.token)).campaigns.nodes).toEqual([]);
    expect(errorCode(await gql(t.graphqlUrl, CampaignsDocument, { after: 'garbage' }, other.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(t.graphqlUrl, CampaignsDocument, { first: 0 }, other.token))).toBe('BAD_USER_INPUT');
  });

  it("should never show another workspace's campaign", async () => {
    const { createCampaign: c } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: name() } }, admin.token);
    const other = await newSession(t);
    expect(errorCode(await gql(t.graphqlUrl, CampaignDocument, { id: c.id }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(t.graphqlUrl, SetCampaignStatusDocument, { id: c.id, status: 'ARCHIVED' }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(t.graphqlUrl, SetSequenceDocument, { campaignId: c.id, steps: [{ kind: 'INVITE', delayMinutes: 0 }] }, other.token))).toBe('NOT_FOUND');
    const names = (await gqlOk(t.graphqlUrl, CampaignsDocument, { first: 500 }, other.token)).campaigns.nodes.map((n) => n.name);
    expect(names).not.toContain(c.name);
  });
});
