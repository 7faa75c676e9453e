import { AddLeadsDocument, CreateCampaignDocument, SimulateCampaignDocument } from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';

describe('simulateCampaign (dry run)', () => {
  let t: TestApp;
  let admin: Session;
  let campaignId: string;
  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_ACCEPT_PROBABILITY: '1', SANDBOX_REPLY_PROBABILITY: '0' });
    admin = await adminSession(t);
    const account = await linkSandboxAccount(t, admin.token);
    const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Dry run', senderAccountIds: [account.id] } }, admin.token);
    campaignId = createCampaign.id;
    const people = t.app.sandbox!.prospects().slice(0, 10);
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: people.map((p) => ({ publicIdentifier: p.publicIdentifier, firstName: p.firstName })) }, admin.token);
  });
  afterAll(() => t.stop());

  it('should play the whole sequence on a virtual clock and return its timeline, touching nothing real', async () => {
    const started = Date.now();
    const { simulateCampaign: sim } = await gqlOk(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 30 }, admin.token);
    expect(sim).toMatchObject({ campaignId, days: 30, leads: 10, invitesSent: 10, acceptances: 10, messagesSent: 30, replies: 0, truncated: false });
    expect(sim.leadsByStatus).toEqual([{ status: 'completed', count: 10 }]);
    expect(new Date(sim.endedAt).getTime() - new Date(sim.startedAt).getTime()).toBe(30 * 86_400_000);
    expect(Date.now() - started).toBeLessThan(30 * 86_400_000); // days in (wall-clock) seconds
    const types = sim.timeline.map((e) => e.type);
    expect(types.filter((x) => x === 'connection_request_sent')).toHaveLength(10);
    expect(types.filter((x) => x === 'message_sent')).toHaveLength(30);
    const times = sim.timeline.map((e) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // The real world did not move: no execution, no invitation, leads untouched.
    const db = t.app.dataSource;
    expect((await db.query(`SELECT count(*)::int AS n FROM step_execution`))[0].n).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM lead WHERE campaign_id = $1 AND status <> 'pending_invite'`, [campaignId]))[0].n).toBe(0);
    expect(t.app.sandbox!.sentInvitations()).toHaveLength(0);
  }, 120_000);

  it('should refuse bad days and other workspaces', async () => {
    expect(errorCode(await gql(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 0 }, admin.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 91 }, admin.token))).toBe('BAD_USER_INPUT');
    const other = await newSession(t);
    expect(errorCode(await gql(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 5 }, other.token))).toBe('NOT_FOUND');
  });
});
