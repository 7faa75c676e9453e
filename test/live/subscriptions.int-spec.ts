import jwt from 'jsonwebtoken';
import { EventSource } from '../../src/modules/leads/lead-event-type';
import {
  AccountStatusChangedDocument,
  AddLeadsDocument,
  CampaignStatsChangedDocument,
  CreateCampaignDocument,
  LeadStatusChangedDocument,
  LiveEventsDocument,
  MeDocument,
  RemoveLeadDocument,
  ReplyReceivedDocument,
  UpdateAccountDocument,
} from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { gqlOk, takeSubscription, type WsConnection, wsClient } from '../support/graphql-client';
import { waitForSubscriptions } from '../support/metrics';
import { TEST_JWT_SECRET, type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';

// A workspace with one sender, one campaign and one lead, and a way to make that lead reply.
async function world(t: TestApp, session: Session, name: string) {
  const account = await linkSandboxAccount(t, session.token);
  const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name, senderAccountIds: [account.id] } }, session.token);
  const prospect = t.app.sandbox!.createProfile();
  const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: [{ providerId: prospect.providerId }] }, session.token);
  let n = 0;
  return {
    account,
    campaignId: createCampaign.id,
    leadId: addLeads.rows[0].leadId!,
    reply: (text = `reply ${++n}`) =>
      t.app.leadProgress.markReplied({
        accountId: account.id,
        providerId: prospect.providerId,
        messageId: `${name}-${n}-${Date.now()}`,
        text,
        occurredAt: new Date(),
        source: EventSource.WEBHOOK,
      }),
  };
}

describe('live updates over graphql-ws', () => {
  let t: TestApp;
  let admin: Session;
  const connections: WsConnection[] = [];
  // The tests share a server: each waits for exactly its own subscriptions (metrics.ts), so every
  // one is closed, and seen closed by the server, before the next test.
  const connect = (params: Record<string, unknown>) => {
    const connection = wsClient(t.wsUrl, params);
    connections.push(connection);
    return connection;
  };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminSession(t);
  });
  afterEach(async () => {
    for (const { client } of connections.splice(0)) await client.dispose();
    await waitForSubscriptions(t.baseUrl, 0);
  });
  afterAll(() => t.stop());

  it("should deliver a reply to its workspace's subscribers only, after commit, with what a front-end needs", async () => {
    const mine = await world(t, admin, 'live mine');
    const other = await newSession(t);
    const theirs = await world(t, other, 'live theirs');
    const { client } = connect({ Authorization: `Bearer ${admin.token}` });
    const received = takeSubscription(client, ReplyReceivedDocument, {}, 1);
    await waitForSubscriptions(t.baseUrl, 1);
    // Their reply commits first: had it leaked, it would be the first to arrive (in commit order).
    await theirs.reply('not for you');
    await mine.reply('Sounds good, call me');
    const [event] = await received;
    expect(event.data?.replyReceived).toMatchObject({
      leadId: mine.leadId,
      campaignId: mine.campaignId,
      accountId: mine.account.id,
      text: 'Sounds good, call me',
      source: 'webhook',
    });
  });

  it('should let a client that reconnects catch up from the last id it saw, missing nothing', async () => {
    const w = await world(t, admin, 'live catch-up');
    const first = connect({ Authorization: `Bearer ${admin.token}` });
    const firstEvent = takeSubscription(first.client, ReplyReceivedDocument, { campaignId: w.campaignId }, 1);
    await waitForSubscriptions(t.baseUrl, 1);
    await w.reply('one');
    const [{ data }] = await firstEvent;
    const lastSeen = data!.replyReceived.eventId;
    await first.client.dispose();

    // While the client is away three more replies come in.
    for (const text of ['two', 'three', 'four']) await w.reply(text);
    const again = connect({ Authorization: `Bearer ${admin.token}` });
    const missed = await takeSubscription(again.client, ReplyReceivedDocument, { campaignId: w.campaignId, after: lastSeen }, 3);
    expect(missed.map((m) => m.data?.replyReceived.text)).toEqual(['two', 'three', 'four']);
    const ids = missed.map((m) => BigInt(m.data!.replyReceived.eventId));
    expect(ids.every((id, i) => id > (i === 0 ? BigInt(lastSeen) : ids[i - 1]))).toBe(true);

    const { liveEvents } = await gqlOk(t.graphqlUrl, LiveEventsDocument, { after: lastSeen, topics: ['REPLY_RECEIVED'] }, admin.token);
    expect(liveEvents.filter((e) => e.campaignId === w.campaignId).map((e) => (e.payload as { text?: string }).text)).toEqual(['two', 'three', 'four']);
  });

  it('should announce lead status changes, the campaign counters after them, and account status changes', async () => {
    const w = await world(t, admin, 'live status');
    const { client } = connect({ token: admin.token });
    const statuses = takeSubscription(client, LeadStatusChangedDocument, { campaignId: w.campaignId }, 1);
    const counters = takeSubscription(client, CampaignStatsChangedDocument, { campaignId: w.campaignId }, 1);
    const accounts = takeSubscription(client, AccountStatusChangedDocument, { accountId: w.account.id }, 1);
    await waitForSubscriptions(t.baseUrl, 3);
    await gqlOk(t.graphqlUrl, RemoveLeadDocument, { id: w.leadId }, admin.token);
    await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: w.account.id, input: { status: 'PAUSED' } }, admin.token);
    expect((await statuses)[0].data?.leadStatusChanged).toMatchObject({ leadId: w.leadId, from: 'pending_invite', to: 'excluded', reason: 'REMOVED_BY_OPERATOR' });
    expect((await counters)[0].data?.campaignStatsChanged.totals).toEqual({ total: 1, pendingInvite: 0, excluded: 1 });
    expect((await accounts)[0].data?.accountStatusChanged).toMatchObject({ accountId: w.account.id, change: 'STATUS', status: 'PAUSED' });
  });

  it('should refuse an expired token, and close a connection when its token expires', async () => {
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, admin.token);
    const token = (seconds: number) =>
      jwt.sign({ wid: me.workspaceId, role: me.role, email: me.email }, TEST_JWT_SECRET, { subject: me.id, issuer: 'linkedin-outreach', expiresIn: seconds });
    const expired = connect({ Authorization: `Bearer ${token(-5)}` });
    expect((await expired.closed).code).toBe(4403);

    const shortLived = connect({ Authorization: `Bearer ${token(2)}` });
    const subscription = takeSubscription(shortLived.client, ReplyReceivedDocument, {}, 1);
    const closed = await shortLived.closed;
    expect(closed).toMatchObject({ code: 4403, reason: 'Token expired' });
    await expect(subscription).rejects.toBeDefined();
  });
});
