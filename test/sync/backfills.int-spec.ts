import { BackfillConversationsDocument, BackfillRateUsageDocument, SyncRunDocument } from '../graphql/generated';
import { LeadEventType } from '../../src/modules/leads/lead-event-type';
import { SYNC_NIGHTLY_JOB } from '../../src/modules/sync/jobs/sync.jobs';
import { updateAccount } from '../factories/account.factory';
import { recordEvents } from '../factories/analytics.factory';
import { recordAcceptance } from '../factories/lead.factory';
import { writeLedgerRows } from '../factories/rate-ledger.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import { type LinkedAccount, addLead, draftCampaign, leadRow, linkAccount } from '../webhooks/support/campaign-fixtures';
import { eventually } from '../support/polling';

describe('backfills (queued runs on the job worker)', () => {
  let t: TestApp;
  let admin: Session;
  let account: LinkedAccount;
  let campaignId: string;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'all', sandbox: { reply: { probability: 0 }, acceptance: { probability: 0 } } });
    admin = await adminSession(t);
    account = await linkAccount(t, admin);
    campaignId = await draftCampaign(t, admin, [account.id]);
  });
  afterAll(async () => {
    await t.app.sandbox?.settle(); // no delivery still in flight while the app stops
    await t.stop();
  });

  const finished = (id: string) =>
    eventually(async () => {
      const { syncRun } = await gqlOk(t.graphqlUrl, SyncRunDocument, { id }, admin.token);
      expect(syncRun.status).toBe('SUCCEEDED');
      return syncRun;
    });

  it('should find the chat of connected leads that have none, and report progress on the run', async () => {
    const withChat = await addLead(t, admin, campaignId, account, { invite: true });
    const withoutChat = await addLead(t, admin, campaignId, account, { invite: true });
    for (const lead of [withChat, withoutChat]) t.app.sandbox!.acceptInvitation(lead.invitationId!);
    const chat = await t.app.unipile.startChat(account.unipileAccountId, { attendeeProviderIds: [withChat.providerId], text: 'Hello' });
    for (const lead of [withChat, withoutChat]) await recordAcceptance(t, { accountId: account.id, providerId: lead.providerId });

    const { backfillConversations: queued } = await gqlOk(t.graphqlUrl, BackfillConversationsDocument, { campaignId }, admin.token);
    expect(queued.status).toBe('QUEUED');
    const run = await finished(queued.id);
    expect(run).toMatchObject({ kind: 'CONVERSATIONS', processed: 2, total: 2, matched: 1, unmatched: 1 });
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();
    expect((await leadRow(t, withChat.id)).chat_id).toBe(chat.chat_id);
    expect((await leadRow(t, withoutChat.id)).chat_id).toBeNull();
  });

  it('should rebuild the rate ledger from the events per local day, keeping a higher count for today', async () => {
    await updateAccount(t, admin.token, account.id, { timezone: 'America/New_York' });
    const [lead]: Array<{ id: string; workspace_id: string; campaign_id: string }> = await t.app.dataSource.query(
      `SELECT id, workspace_id, campaign_id FROM lead WHERE account_id = $1 LIMIT 1`,
      [account.id],
    );
    const now = new Date();
    const dayAgo = (days: number, hour: number) => {
      const d = new Date(now);
      d.setUTCDate(d.getUTCDate() - days);
      d.setUTCHours(hour, 0, 0, 0);
      return d;
    };
    // Two invites 2 days ago (one at 02:00 UTC: still the day before in New York), one message 3 days ago.
    const events: Array<[LeadEventType, Date]> = [
      [LeadEventType.CONNECTION_REQUEST_SENT, dayAgo(2, 15)],
      [LeadEventType.CONNECTION_REQUEST_SENT, dayAgo(2, 2)],
      [LeadEventType.MESSAGE_SENT, dayAgo(3, 15)],
    ];
    const sender = { id: lead.id, workspaceId: lead.workspace_id, campaignId: lead.campaign_id, accountId: account.id };
    await recordEvents(t.app.dataSource, sender, events.map(([type, at]) => ({ type, at: at.toISOString() })));
    const localDay = (d: Date) => d.toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
    const today = localDay(now);
    // A drifted ledger: a wrong past count, a stale day with no events, and today's reserved slot.
    await writeLedgerRows(t.app.dataSource, account.id, [
      { day: localDay(dayAgo(2, 15)), kind: 'invite', used: 9, cap: 25 },
      { day: localDay(dayAgo(5, 15)), kind: 'message', used: 4, cap: 100 },
      { day: today, kind: 'invite', used: 1, cap: 25 },
    ]);

    const { backfillRateUsage: queued } = await gqlOk(t.graphqlUrl, BackfillRateUsageDocument, { accountId: account.id, days: 10 }, admin.token);
    const run = await finished(queued.id);
    expect(run).toMatchObject({ kind: 'RATE_USAGE', processed: 10, total: 10 });

    const ledger: Array<{ day: string; kind: string; used: number; cap: number }> = await t.app.dataSource.query(
      `SELECT day::text, kind, used, cap FROM rate_ledger WHERE account_id = $1 AND used > 0 ORDER BY day, kind`,
      [account.id],
    );
    const expected = new Map<string, number>();
    for (const [type, at] of events) {
      const key = `${localDay(at)} ${type === LeadEventType.MESSAGE_SENT ? 'message' : 'invite'}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expected.set(`${today} invite`, 1); // a reservation without its event yet is kept
    expect(new Map(ledger.map((r) => [`${r.day} ${r.kind}`, r.used]))).toEqual(expected);
    expect(ledger.find((r) => r.kind === 'message')?.cap).toBe(100);
  });

  it('should refuse an out-of-range day count and members', async () => {
    expect(errorCode(await gql(t.graphqlUrl, BackfillRateUsageDocument, { days: 0 }, admin.token))).toBe('BAD_USER_INPUT');
  });

  it('should run both backfills for every workspace in the nightly job', async () => {
    const before = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM sync_run`);
    await t.app.jobs.now(SYNC_NIGHTLY_JOB);
    await eventually(async () => {
      const rows = await t.app.dataSource.query(`SELECT kind, status FROM sync_run ORDER BY created_at OFFSET $1`, [before[0].n]);
      expect(rows).toEqual([
        { kind: 'conversations', status: 'succeeded' },
        { kind: 'rate_usage', status: 'succeeded' },
      ]);
    });
  });
});
