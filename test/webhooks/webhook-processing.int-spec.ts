import { AccountDocument, EnsureWebhooksDocument, WebhookStatusDocument } from '../graphql/generated';
import { markCampaignActive } from '../factories/campaign.factory';
import { markMessaged } from '../factories/lead.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import type { DetectedReply } from '../../src/modules/webhooks/reply-listener';
import { type LinkedAccount, type TestLead, addLead, draftCampaign, eventsOf, leadRow, linkAccount } from './support/campaign-fixtures';
import { eventually } from '../support/polling';
import { newRelation, postWebhook } from './support/unipile-payloads';

const SECRET = 'processing-secret-0123456789';

/**
 * The whole path with the sandbox delivering real webhooks to our routes: the app runs the job
 * worker (role all): stored events are processed at once, or by the drain job.
 */
describe('webhook processing (sandbox → routes → jobs → leads)', () => {
  let t: TestApp;
  let admin: Session;
  let account: LinkedAccount;
  let campaignId: string;
  const replies: DetectedReply[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      { UNIPILE_WEBHOOK_SECRET: SECRET, OPT_OUT_PHRASES: 'stop, unsubscribe, not interested, no thanks' },
      { role: 'all', onReply: (reply) => void replies.push(reply), sandbox: { reply: { probability: 0 }, acceptance: { probability: 0 } } },
    );
    admin = await adminSession(t);
    await gqlOk(t.graphqlUrl, EnsureWebhooksDocument, {}, admin.token);
    account = await linkAccount(t, admin);
    campaignId = await draftCampaign(t, admin, [account.id], 'Processing campaign');
  });
  afterAll(async () => {
    await t.app.sandbox?.settle(); // no delivery still in flight while the app stops
    await t.stop();
  });

  const outcomes = async (where: string, params: unknown[]) =>
    (await t.app.dataSource.query(`SELECT outcome FROM webhook_event WHERE ${where} ORDER BY id`, params)).map((r: { outcome: string | null }) => r.outcome);

  /** A connected lead with a chat: our message opened it (and came back as an own message_received). */
  async function connectedLeadWithChat(): Promise<TestLead & { chatId: string }> {
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    t.app.sandbox!.acceptInvitation(lead.invitationId!);
    await eventually(async () => expect((await leadRow(t, lead.id)).status).toBe('connected'));
    const started = await t.app.unipile.startChat(account.unipileAccountId, { attendeeProviderIds: [lead.providerId], text: 'Thanks for connecting!' });
    await markMessaged(t.app.dataSource, lead.id, { chatId: started.chat_id! });
    await eventually(async () => expect(await outcomes(`payload->>'message_id' = $1`, [started.message_id])).toEqual(['OWN_MESSAGE']));
    return { ...lead, chatId: started.chat_id! };
  }

  it('should connect a lead when Unipile reports the acceptance (new_relation), with source and detection latency', async () => {
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    t.app.sandbox!.acceptInvitation(lead.invitationId!);
    await t.app.sandbox!.settle();

    await eventually(async () => expect((await leadRow(t, lead.id)).status).toBe('connected'));
    const [accepted, ...more] = await eventsOf(t, lead.id, 'connection_accepted');
    expect(more).toHaveLength(0);
    expect(accepted).toMatchObject({ source: 'webhook', linkedin_account_id: account.id, meta: { occurred_at_source: 'webhook_received' } });
    expect(typeof accepted.meta.detection_latency_ms).toBe('number');
    expect(accepted.meta.webhook_event_id).toEqual(expect.any(String));
    expect(t.app.sandbox!.deliveries().filter((d) => d.event === 'new_relation').every((d) => d.state === 'delivered')).toBe(true);
  });

  it('should record a reply once, stop the sequence, publish it, and never count our own messages', async () => {
    const lead = await connectedLeadWithChat();
    expect(await eventsOf(t, lead.id, 'message_received')).toHaveLength(0);
    expect(replies.filter((r) => r.leadId === lead.id)).toHaveLength(0);

    // Unipile delivers the reply twice (a duplicate) and we also see our second message.
    t.app.sandbox!.faults.add({ kind: 'webhook_duplicate', times: 1 });
    const reply = t.app.sandbox!.reply(lead.chatId, 'Sounds good, call me Tuesday');
    await t.app.unipile.sendMessage(lead.chatId, 'Great, talk Tuesday.');
    await t.app.sandbox!.settle();

    await eventually(async () => expect((await leadRow(t, lead.id)).status).toBe('responded'));
    await eventually(async () => expect(await outcomes(`unipile_account_id = $1 AND source = 'messaging' AND payload->>'chat_id' = $2`, [account.unipileAccountId, lead.chatId])).toEqual(['OWN_MESSAGE', 'REPLY_RECORDED', 'OWN_MESSAGE']));
    const received = await eventsOf(t, lead.id, 'message_received');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ source: 'webhook', meta: { message_id: reply.id, text: 'Sounds good, call me Tuesday' } });
    expect(received[0].meta.detection_latency_ms).toEqual(expect.any(Number));
    expect(replies.filter((r) => r.leadId === lead.id)).toEqual([
      expect.objectContaining({ messageId: reply.id, campaignId, accountId: account.id, optedOut: false, source: 'webhook', text: 'Sounds good, call me Tuesday' }),
    ]);
    expect(t.app.sandbox!.deliveries().filter((d) => d.duplicate)).toHaveLength(1);

    const { webhookStatus } = await gqlOk(t.graphqlUrl, WebhookStatusDocument, { campaignId }, admin.token);
    const replyCount = await t.app.dataSource.query(
      `SELECT count(*)::int AS n FROM lead_event WHERE campaign_id = $1 AND type = 'message_received'`,
      [campaignId],
    );
    expect(webhookStatus.campaign.activity.repliesReceived).toBe(replyCount[0].n);
  });

  it('should opt a lead out on a configured phrase and add it to do-not-contact', async () => {
    const lead = await connectedLeadWithChat();
    t.app.sandbox!.reply(lead.chatId, 'No thanks!');
    await eventually(async () => expect(await leadRow(t, lead.id)).toMatchObject({ status: 'opted_out', status_reason: 'OPT_OUT_PHRASE' }));
    const dnc = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM do_not_contact WHERE workspace_id = $1 AND provider_id = $2`, [admin.workspaceId, lead.providerId]);
    expect(dnc[0].n).toBe(1);
    await eventually(async () => expect(replies.find((r) => r.leadId === lead.id)).toMatchObject({ optedOut: true }));
  });

  it('should pause the account on CREDENTIALS and resume it on OK', async () => {
    const status = async () => (await gqlOk(t.graphqlUrl, AccountDocument, { id: account.id }, admin.token)).account;
    t.app.sandbox!.setAccountStatus(account.unipileAccountId, 'CREDENTIALS');
    await eventually(async () => expect(await status()).toMatchObject({ status: 'DISCONNECTED', statusReason: 'Unipile account status CREDENTIALS' }));
    t.app.sandbox!.setAccountStatus(account.unipileAccountId, 'OK');
    await eventually(async () => expect(await status()).toMatchObject({ status: 'ACTIVE', statusReason: null }));
    expect(await outcomes(`source = 'account_status' AND unipile_account_id = $1`, [account.unipileAccountId])).toEqual(
      expect.arrayContaining(['ACCOUNT_PAUSED', 'ACCOUNT_RESUMED']),
    );
  });

  it("should match an acceptance reported on a sibling account to the lead's own sender", async () => {
    const sibling = await linkAccount(t, admin);
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    const res = await postWebhook(t.baseUrl, 'users', newRelation({ accountId: sibling.unipileAccountId, providerId: lead.providerId }), { 'Unipile-Auth': SECRET });
    expect(res.status).toBe(200);
    await eventually(async () => expect((await leadRow(t, lead.id)).status).toBe('connected'));
    const [accepted] = await eventsOf(t, lead.id, 'connection_accepted');
    expect(accepted).toMatchObject({ linkedin_account_id: account.id, meta: { reported_by_account_id: sibling.id } });
  });

  it('should answer webhookStatus by id, by name in any case, and by default for the latest active campaign', async () => {
    const byName = await gqlOk(t.graphqlUrl, WebhookStatusDocument, { campaignName: 'PROCESSING campaign' }, admin.token);
    expect(byName.webhookStatus.campaign.campaignId).toBe(campaignId);
    expect(byName.webhookStatus.recentEvents.length).toBeLessThanOrEqual(10);
    const ids = byName.webhookStatus.recentEvents.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(byName.webhookStatus.recentEvents.length).toBe(10);
    expect(byName.webhookStatus.webhooks.receivedLast24h).toBeGreaterThan(0);
    expect(byName.webhookStatus.webhooks.lastReceivedAt).not.toBeNull();

    expect(errorCode(await gql(t.graphqlUrl, WebhookStatusDocument, {}, admin.token))).toBe('NOT_FOUND'); // nothing active yet
    await markCampaignActive(t.app.dataSource, admin.workspaceId, campaignId);
    const latest = await gqlOk(t.graphqlUrl, WebhookStatusDocument, {}, admin.token);
    expect(latest.webhookStatus.campaign.campaignId).toBe(campaignId);
    expect(errorCode(await gql(t.graphqlUrl, WebhookStatusDocument, { campaignName: 'no such campaign' }, admin.token))).toBe('NOT_FOUND');
  });
});
