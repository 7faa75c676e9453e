import type { DetectedReply } from '../../src/modules/webhooks/reply-listener';
import { markCampaignActive } from '../factories/campaign.factory';
import { markInviteSent, markMessaged } from '../factories/lead.factory';
import { AddLeadsDocument, CampaignSummaryDocument, CreateCampaignDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { waitFor } from '../support/polling';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import { type LinkedAccount, linkAccount } from '../webhooks/support/campaign-fixtures';
import { messageReceived, newRelation } from '../webhooks/support/unipile-payloads';
import { type Delivery, type DeliveryResult, deliverConcurrently, multiply, seededRandom } from './support/webhook-traffic';

const SECRET = 'duplicate-webhooks-secret-0123456789';
const COPIES = 5;
const LEADS_PER_ACCOUNT = 20;
const HOUR = 3_600_000;

type Lead = {
  id: string;
  account: LinkedAccount;
  providerId: string;
  publicIdentifier: string;
  /** Accepted before the replies (phase 1) or together with them, in any order (phase 2). */
  group: 'accepted-first' | 'mixed';
  chatId: string;
  replies: Array<{ messageId: string; at: Date }>;
};

/**
 * Unipile delivers each webhook several times and out of order. Here every delivery arrives 5
 * times, shuffled (seeded), 16 requests at once, through the real HTTP endpoint of an app whose
 * job worker runs too (so the immediate processing and the durable job race on every event):
 * acceptances (`new_relation`), the leads' replies and the account's own messages
 * (`message_received`), over three accounts and sixty leads. Each fact must be recorded once.
 */
describe('reliability: duplicate and reordered webhooks', () => {
  let t: TestApp;
  let admin: Session;
  let accounts: LinkedAccount[];
  let campaignId: string;
  const leads: Lead[] = [];
  const announced: DetectedReply[] = [];
  const random = seededRandom(20260105);
  const headers = { 'Unipile-Auth': SECRET };

  beforeAll(async () => {
    t = await startTestApp(
      { UNIPILE_WEBHOOK_SECRET: SECRET },
      { role: 'all', onReply: (reply) => void announced.push(reply), sandbox: { profiles: 300, reply: { probability: 0 }, acceptance: { probability: 0 } } },
    );
    admin = await adminSession(t);
    accounts = [];
    for (let i = 0; i < 3; i++) accounts.push(await linkAccount(t, admin));
    ({ createCampaign: { id: campaignId } } = await gqlOk(
      t.graphqlUrl,
      CreateCampaignDocument,
      { input: { name: 'Duplicate webhooks', senderAccountIds: accounts.map((a) => a.id) } },
      admin.token,
    ));
    const people = t.app.sandbox!.prospects().slice(0, accounts.length * LEADS_PER_ACCOUNT);
    const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: people.map((p) => ({ publicIdentifier: p.publicIdentifier })) }, admin.token);
    const db = t.app.dataSource;
    const start = Date.now() - 48 * HOUR;
    const twoDaysAgo = new Date(start);
    for (const [i, person] of people.entries()) {
      const account = accounts[i % accounts.length];
      const leadId = addLeads.rows[i].leadId!;
      // Invited two days ago by its sender.
      await markInviteSent(db, leadId, { accountId: account.id, providerId: person.providerId, at: twoDaysAgo, firstOutbound: true });
      const replies = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
        messageId: `reply-${i}-${k}`,
        at: new Date(start + (24 + i * 0.25 + k) * HOUR),
      }));
      leads.push({
        id: leadId,
        account,
        providerId: person.providerId,
        publicIdentifier: person.publicIdentifier,
        group: i % 2 === 0 ? 'accepted-first' : 'mixed',
        chatId: `chat-${i}`,
        replies,
      });
    }
    // Running, so that acceptances schedule the next step and replies have a sequence to stop.
    await markCampaignActive(db, admin.workspaceId, campaignId);
  }, 120_000);
  afterAll(async () => {
    await t?.app.sandbox?.settle();
    await t?.stop();
  });

  const acceptance = (lead: Lead): Delivery => ({
    key: `relation:${lead.account.unipileAccountId}:${lead.providerId}`,
    route: 'users',
    body: newRelation({ accountId: lead.account.unipileAccountId, providerId: lead.providerId, publicIdentifier: lead.publicIdentifier }),
  });
  const reply = (lead: Lead, r: Lead['replies'][number]): Delivery => ({
    key: `message:${r.messageId}`,
    route: 'messaging',
    body: messageReceived({
      accountId: lead.account.unipileAccountId,
      ownerProviderId: lead.account.ownerProviderId,
      senderProviderId: lead.providerId,
      chatId: lead.chatId,
      messageId: r.messageId,
      text: `Happy to talk (${r.messageId})`,
      timestamp: r.at.toISOString(),
    }),
  });
  /** The account's own message in the lead's chat (Unipile sends those too). */
  const ownMessage = (lead: Lead): Delivery => ({
    key: `message:own-${lead.id}`,
    route: 'messaging',
    body: messageReceived({
      accountId: lead.account.unipileAccountId,
      ownerProviderId: lead.account.ownerProviderId,
      senderProviderId: lead.account.ownerProviderId,
      chatId: lead.chatId,
      messageId: `own-${lead.id}`,
      text: 'Thanks for connecting!',
    }),
  });
  /** A relation of the account that is no lead of ours. */
  const stranger = (n: number): Delivery => {
    const account = accounts[n % accounts.length];
    const providerId = `ACoAAStranger${n}`;
    return { key: `relation:${account.unipileAccountId}:${providerId}`, route: 'users', body: newRelation({ accountId: account.unipileAccountId, providerId }) };
  };

  const db = () => t.app.dataSource;
  const unprocessed = async () => (await db().query(`SELECT count(*)::int AS n FROM webhook_event WHERE processed_at IS NULL`))[0].n as number;

  function expectEachStoredOnce(results: DeliveryResult[], newKeys: Set<string>) {
    expect(results.filter((r) => r.status !== 200).map((r) => [r.key, r.status, r.body])).toEqual([]);
    const stored = new Map<string, number>();
    for (const r of results) if (r.body.status === 'stored') stored.set(r.key, (stored.get(r.key) ?? 0) + 1);
    expect([...stored.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(stored.keys())).toEqual(newKeys);
    expect(results.filter((r) => r.body.status !== 'stored' && r.body.status !== 'duplicate')).toEqual([]);
  }

  it('should record every fact once when each webhook arrives five times, shuffled and concurrently', async () => {
    const started = Date.now();
    // Phase 1: half the leads accept; a few relations that are nobody of ours.
    const phase1 = [...leads.filter((l) => l.group === 'accepted-first').map(acceptance), ...Array.from({ length: 10 }, (_, n) => stranger(n))];
    const results1 = await deliverConcurrently(t.baseUrl, multiply(phase1, COPIES, random), { concurrency: 16, headers });
    expectEachStoredOnce(results1, new Set(phase1.map((d) => d.key)));
    await waitFor(async () => (await unprocessed()) === 0, 60_000, 'phase 1 events processed');

    // The engine then messaged the accepted leads in a chat of their own.
    for (const lead of leads.filter((l) => l.group === 'accepted-first')) {
      await markMessaged(db(), lead.id, { chatId: lead.chatId, nextStepIndex: 2, lastStepSentAt: new Date(Date.now() - 24 * HOUR) });
    }

    // Phase 2: every reply, our own messages, the other half's acceptances (mixed in with their
    // replies), and late retries of every phase-1 delivery.
    const phase2 = [
      ...leads.flatMap((l) => l.replies.map((r) => reply(l, r))),
      ...leads.filter((l) => l.group === 'accepted-first').map(ownMessage),
      ...leads.filter((l) => l.group === 'mixed').map(acceptance),
    ];
    const results2 = await deliverConcurrently(t.baseUrl, multiply([...phase2, ...phase1], COPIES, random), { concurrency: 16, headers });
    expectEachStoredOnce(results2, new Set(phase2.map((d) => d.key)));
    await waitFor(async () => (await unprocessed()) === 0, 60_000, 'phase 2 events processed');
    const distinct = phase1.length + phase2.length;
    console.info(
      `duplicate-webhooks: ${distinct} events, ${results1.length + results2.length} deliveries, ${Math.round((Date.now() - started) / 100) / 10} s`,
    );

    // ── exactly one stored event per delivery, each processed ───────────────────────────────────
    const events: Array<{ provider_key: string; outcome: string; n: number }> = await db().query(
      `SELECT provider_key, outcome, count(*) OVER (PARTITION BY provider_key)::int AS n FROM webhook_event`,
    );
    expect(events).toHaveLength(distinct);
    expect(events.filter((e) => e.n !== 1)).toEqual([]);
    const outcomeOf = (key: string) => events.find((e) => e.provider_key === key)?.outcome;
    for (const lead of leads) {
      const relationKey = `users:new_relation:${lead.account.unipileAccountId}:${lead.providerId}`;
      if (lead.group === 'accepted-first') {
        expect([lead.id, outcomeOf(relationKey)]).toEqual([lead.id, 'CONNECTED']);
        expect([lead.id, outcomeOf(`messaging:message_received:own-${lead.id}`)]).toEqual([lead.id, 'OWN_MESSAGE']);
      } else {
        // Arriving after a reply, an acceptance has nothing left to do.
        expect([lead.id, ['CONNECTED', 'NO_LEAD'].includes(outcomeOf(relationKey)!)]).toEqual([lead.id, true]);
      }
      for (const r of lead.replies) {
        // The durable job and the immediate path may both run; the second finds the reply recorded.
        expect([r.messageId, ['REPLY_RECORDED', 'DUPLICATE'].includes(outcomeOf(`messaging:message_received:${r.messageId}`)!)]).toEqual([r.messageId, true]);
      }
    }

    // ── one lead_event per fact ─────────────────────────────────────────────────────────────────
    const leadEvents: Array<{ lead_id: string; type: string; message_id: string | null; to_status: string | null; occurred_at: Date }> = await db().query(
      `SELECT lead_id, type, meta->>'message_id' AS message_id, meta->>'to' AS to_status, occurred_at FROM lead_event WHERE campaign_id = $1`,
      [campaignId],
    );
    const of = (lead: Lead, type: string) => leadEvents.filter((e) => e.lead_id === lead.id && e.type === type);
    for (const lead of leads) {
      const received = of(lead, 'message_received');
      expect([lead.id, received.map((e) => e.message_id).sort()]).toEqual([lead.id, lead.replies.map((r) => r.messageId).sort()]);
      const accepted = of(lead, 'connection_accepted').length;
      expect([lead.id, lead.group === 'accepted-first' ? accepted === 1 : accepted <= 1]).toEqual([lead.id, true]);
      // The sequence stopped once: one move to `responded`, nothing due any more.
      const toResponded = of(lead, 'status_changed').filter((e) => e.to_status === 'responded');
      expect([lead.id, toResponded.length]).toEqual([lead.id, 1]);
    }
    expect(leadEvents.filter((e) => e.type === 'lead_opted_out' || e.type === 'connection_accepted_historical')).toEqual([]);
    const rows: Array<{ id: string; status: string; next_action_at: Date | null; first_reply_at: Date }> = await db().query(
      `SELECT id, status, next_action_at, first_reply_at FROM lead WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(rows.filter((r) => r.status !== 'responded' || r.next_action_at !== null)).toEqual([]);
    const pending = await db().query(`SELECT count(*)::int AS n FROM step_execution WHERE campaign_id = $1 AND state IN ('scheduled', 'retrying', 'sending')`, [campaignId]);
    expect(pending[0].n).toBe(0);

    // ── one announcement per reply (subscriptions, notifications), none for duplicates ──────────
    const announcedIds = announced.filter((a) => a.campaignId === campaignId).map((a) => a.messageId);
    expect(announcedIds.sort()).toEqual(leads.flatMap((l) => l.replies.map((r) => r.messageId)).sort());

    // ── analytics counters match the facts ──────────────────────────────────────────────────────
    const replies = leads.reduce((n, l) => n + l.replies.length, 0);
    const acceptances = leadEvents.filter((e) => e.type === 'connection_accepted').length;
    expect(acceptances).toBeGreaterThanOrEqual(leads.filter((l) => l.group === 'accepted-first').length);
    const { campaignSummary } = await gqlOk(t.graphqlUrl, CampaignSummaryDocument, { campaignId }, admin.token);
    expect(campaignSummary.activity).toMatchObject({ connectionsAccepted: acceptances, repliesReceived: replies, invitesSent: 0, messagesSent: 0 });
    expect(campaignSummary.leads).toMatchObject({ replied: leads.length });
    expect(campaignSummary.totals).toMatchObject({ total: leads.length, responded: leads.length });
    const facts: Array<{ lead_id: string; first_reply_at: Date }> = await db().query(`SELECT lead_id, first_reply_at FROM analytics_lead_fact WHERE campaign_id = $1`, [
      campaignId,
    ]);
    // The first reply is the earliest one, whichever was delivered first.
    for (const lead of leads) {
      const earliest = Math.min(...lead.replies.map((r) => r.at.getTime()));
      expect([lead.id, facts.find((f) => f.lead_id === lead.id)?.first_reply_at.getTime()]).toEqual([lead.id, earliest]);
      expect([lead.id, rows.find((r) => r.id === lead.id)?.first_reply_at.getTime()]).toEqual([lead.id, earliest]);
    }
  }, 240_000);
});
