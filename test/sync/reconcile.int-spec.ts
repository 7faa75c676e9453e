import { SCAN_JOB } from '../../src/modules/outreach/jobs/outreach.jobs';
import { RECONCILE_SCAN_JOB } from '../../src/modules/sync/jobs/sync.jobs';
import type { DetectedReply } from '../../src/modules/webhooks/reply-listener';
import { pauseAccount, resumeAccount } from '../factories/account.factory';
import { markMessaged } from '../factories/lead.factory';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import { type LinkedAccount, addLead, draftCampaign, eventsOf, leadRow, linkAccount } from '../webhooks/support/campaign-fixtures';
import { eventually } from '../support/polling';
import { newRelation, postWebhook } from '../webhooks/support/unipile-payloads';

// No webhook is registered here: only the poll can see what happens on LinkedIn.
describe('reconciliation poll', () => {
  let t: TestApp;
  let admin: Session;
  let account: LinkedAccount;
  let campaignId: string;
  const replies: DetectedReply[] = [];

  beforeAll(async () => {
    t = await startTestApp({}, { onReply: (r) => void replies.push(r), sandbox: { reply: { probability: 0 }, acceptance: { probability: 0 } } });
    admin = await adminSession(t);
    account = await linkAccount(t, admin);
    campaignId = await draftCampaign(t, admin, [account.id]);
  });
  afterAll(async () => {
    await t.app.sandbox?.settle(); // no delivery still in flight while the app stops
    await t.stop();
  });

  it('should record an acceptance that no webhook reported, with source poll, never twice, and wake the engine', async () => {
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    const waiting = await addLead(t, admin, campaignId, account, { invite: true });
    t.app.sandbox!.acceptInvitation(lead.invitationId!);
    expect(t.app.sandbox!.deliveries()).toEqual([]);
    const freshScans = async () =>
      (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1 AND data->>'fresh' = 'true'`, [SCAN_JOB]))[0].n as number;
    const before = await freshScans();

    expect(await t.app.sync.reconcile.reconcileAccount(account.id)).toEqual({ accountId: account.id, acceptances: 1, replies: 0 });
    // The lead's message may be due at once (its delay passed while the acceptance went unseen): a
    // fresh scan is queued, as a webhook's acceptance queues one, so no scan memo hides the lead.
    await eventually(async () => expect(await freshScans()).toBeGreaterThan(before));
    expect((await leadRow(t, lead.id)).status).toBe('connected');
    expect((await leadRow(t, waiting.id)).status).toBe('invite_sent');
    const [accepted] = await eventsOf(t, lead.id, 'connection_accepted');
    expect(accepted).toMatchObject({ source: 'poll', linkedin_account_id: account.id });
    expect(accepted.meta.detection_latency_ms).toEqual(expect.any(Number));

    // The next poll, and a late webhook for the same acceptance, change nothing.
    expect(await t.app.sync.reconcile.reconcileAccount(account.id)).toMatchObject({ acceptances: 0 });
    const late = await postWebhook(t.baseUrl, 'users', newRelation({ accountId: account.unipileAccountId, providerId: lead.providerId }));
    await eventually(async () =>
      expect(await t.app.dataSource.query(`SELECT outcome FROM webhook_event WHERE id = $1`, [late.body.eventId])).toEqual([{ outcome: 'NO_LEAD' }]),
    );
    expect(await eventsOf(t, lead.id, 'connection_accepted')).toHaveLength(1);
  });

  it('should record a reply that no webhook reported, skip our own messages, and never record it twice', async () => {
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    t.app.sandbox!.acceptInvitation(lead.invitationId!);
    const chat = await t.app.unipile.startChat(account.unipileAccountId, { attendeeProviderIds: [lead.providerId], text: 'Thanks for connecting' });
    await markMessaged(t.app.dataSource, lead.id, { chatId: chat.chat_id! });
    const reply = t.app.sandbox!.reply(chat.chat_id!, 'Happy to talk');

    expect(await t.app.sync.reconcile.reconcileAccount(account.id)).toMatchObject({ replies: 1 });
    expect((await leadRow(t, lead.id)).status).toBe('responded');
    const received = await eventsOf(t, lead.id, 'message_received');
    expect(received).toEqual([expect.objectContaining({ source: 'poll', meta: expect.objectContaining({ message_id: reply.id }) })]);
    expect(replies.filter((r) => r.leadId === lead.id)).toEqual([expect.objectContaining({ source: 'poll', messageId: reply.id })]);

    expect(await t.app.sync.reconcile.reconcileAccount(account.id)).toMatchObject({ replies: 0 });
    expect(await eventsOf(t, lead.id, 'message_received')).toHaveLength(1);
  });

  it('should skip accounts that are not ACTIVE', async () => {
    await pauseAccount(t, admin.token, account.id);
    expect(await t.app.sync.reconcile.reconcileAccount(account.id)).toMatchObject({ skipped: 'NOT_ACTIVE' });
    expect(await t.app.sync.reconcile.activeAccountIds()).not.toContain(account.id);
    await resumeAccount(t, admin.token, account.id);
  });
});

describe('reconciliation poll as recurring jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' }, { role: 'all', sandbox: { acceptance: { probability: 0 } } });
  });
  afterAll(async () => {
    await t.app.sandbox?.settle(); // no delivery still in flight while the app stops
    await t.stop();
  });

  it('should fan out one poll per active account and record what it finds', async () => {
    const admin = await adminSession(t);
    const account = await linkAccount(t, admin);
    const campaignId = await draftCampaign(t, admin, [account.id]);
    const lead = await addLead(t, admin, campaignId, account, { invite: true });
    t.app.sandbox!.acceptInvitation(lead.invitationId!);

    await t.app.jobs.now(RECONCILE_SCAN_JOB);
    await eventually(async () => expect((await leadRow(t, lead.id)).status).toBe('connected'));
    expect(await eventsOf(t, lead.id, 'connection_accepted')).toEqual([expect.objectContaining({ source: 'poll' })]);
    const recurring = await t.app.dataSource.query(`SELECT repeat_interval FROM agenda_jobs WHERE name = $1`, [RECONCILE_SCAN_JOB]);
    expect(recurring).toEqual([{ repeat_interval: String(3_600_000) }]);
  });
});
