import { VirtualClock } from '../../src/core/clock';
import { LeadEventType as T } from '../../src/modules/leads/lead-event-type';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import {
  AccountRateUsageDocument,
  AutomationStatusDocument,
  CampaignSummaryDocument,
  CampaignTimeseriesDocument,
  ReplyAnalyticsDocument,
} from '../graphql/generated';
import { insertAccount, insertCampaign, insertLead, recordEvents, type TestLead } from '../factories/analytics.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { newSession, type Session } from '../support/workspace';

// One known workspace, every number checked by hand. "Now" is Wednesday 2026-03-11 12:00 UTC.
// US daylight saving starts on Sunday 2026-03-08 (New York: UTC−5, then UTC−4); Paris is UTC+1;
// Kolkata is UTC+5:30 (a half-hour offset: local days split 15-minute buckets at :30).
//
// Campaign C, senders One (UTC, warm-up) and Two (Paris, paused):
//   L1 One  invite 03-01 09:00 (step 0), accepted 03-02 10:00, message 03-03 09:00 (step 1),
//           reply 03-03 11:00, own message 03-03 11:30 (is_sender), reply 03-04 08:00   → responded
//   L2 One  invite 03-05 09:00, accepted 03-06 09:00, message 03-07 10:00 (step 1),
//           message 03-10 10:00 (step 2), own message 03-10 10:05 (is_sender: 1)          → messaged
//   L3 Two  invite 03-09 23:30 (step 0), reply 03-10 23:45 (to the invitation, never messaged) → responded
//   L4 Two  historical acceptance 03-08 12:00, message 03-09 12:00 (step 1), reply 03-11 00:15 → responded
//   L5 One  nothing yet                                                                   → pending_invite
//   L6 One  invite 03-11 09:00, step failed 03-11 09:05                                   → failed
//   L7 Two  reply 03-06 15:00 (wrote first: no invite, no message)                        → responded
// All leads were added 03-01 08:00.

const NOW = '2026-03-11T12:00:00.000Z';

const day = (d: string, invitesSent = 0, connectionsAccepted = 0, messagesSent = 0, repliesReceived = 0) => ({
  day: d,
  invitesSent,
  connectionsAccepted,
  messagesSent,
  repliesReceived,
});

describe('analytics', () => {
  let t: TestApp;
  let s: Session;
  let other: Session;
  let campaign: string;
  let empty: string;
  let one: string;
  let two: string;
  let foreignCampaign: string;
  let foreignAccount: string;

  beforeAll(async () => {
    t = await startTestApp({}, { clock: new VirtualClock(NOW) });
    const ds = t.app.dataSource;
    s = await newSession(t);
    other = await newSession(t);
    one = await insertAccount(ds, s.workspaceId, {
      displayName: 'Sender One',
      timezone: 'UTC',
      ramp: { startCap: 5, dailyIncrement: 3, targetCap: 20, startedAt: '2026-03-09T08:00:00Z' },
      cooldownUntil: '2026-03-11T18:00:00Z',
    });
    two = await insertAccount(ds, s.workspaceId, { displayName: 'Sender Two', timezone: 'Europe/Paris', status: 'PAUSED' });
    campaign = await insertCampaign(ds, s.workspaceId, 'Spring outreach');
    empty = await insertCampaign(ds, s.workspaceId, 'Nobody yet');
    foreignCampaign = await insertCampaign(ds, other.workspaceId);
    foreignAccount = await insertAccount(ds, other.workspaceId);

    const lead = (accountId: string, status: LeadStatus) => insertLead(ds, { workspaceId: s.workspaceId, campaignId: campaign, accountId, status });
    const added = (l: TestLead) => recordEvents(ds, l, [{ type: T.LEAD_ADDED, at: '2026-03-01T08:00:00Z' }]);
    const [l1, l2, l3, l4, l5, l6, l7] = [
      await lead(one, LeadStatus.RESPONDED),
      await lead(one, LeadStatus.MESSAGED),
      await lead(two, LeadStatus.RESPONDED),
      await lead(two, LeadStatus.RESPONDED),
      await lead(one, LeadStatus.PENDING_INVITE),
      await lead(one, LeadStatus.FAILED),
      await lead(two, LeadStatus.RESPONDED),
    ];
    for (const l of [l1, l2, l3, l4, l5, l6, l7]) await added(l);
    await recordEvents(ds, l1, [
      { type: T.CONNECTION_REQUEST_SENT, at: '2026-03-01T09:00:00Z', step: 0 },
      { type: T.CONNECTION_ACCEPTED, at: '2026-03-02T10:00:00Z' },
    ]);
    await recordEvents(ds, l1, [{ type: T.MESSAGE_SENT, at: '2026-03-03T09:00:00Z', step: 1 }]);
    await recordEvents(ds, l1, [
      { type: T.MESSAGE_RECEIVED, at: '2026-03-03T11:00:00Z' },
      { type: T.MESSAGE_RECEIVED, at: '2026-03-03T11:30:00Z', meta: { is_sender: true } },
    ]);
    await recordEvents(ds, l1, [{ type: T.MESSAGE_RECEIVED, at: '2026-03-04T08:00:00Z', meta: { is_sender: false } }]);
    await recordEvents(ds, l2, [
      { type: T.CONNECTION_REQUEST_SENT, at: '2026-03-05T09:00:00Z', step: 0 },
      { type: T.CONNECTION_ACCEPTED, at: '2026-03-06T09:00:00Z' },
      { type: T.MESSAGE_SENT, at: '2026-03-07T10:00:00Z', step: 1 },
      { type: T.MESSAGE_SENT, at: '2026-03-10T10:00:00Z', step: 2 },
      { type: T.MESSAGE_RECEIVED, at: '2026-03-10T10:05:00Z', meta: { is_sender: 1 } },
    ]);
    await recordEvents(ds, l3, [{ type: T.CONNECTION_REQUEST_SENT, at: '2026-03-09T23:30:00Z', step: 0 }]);
    await recordEvents(ds, l3, [{ type: T.MESSAGE_RECEIVED, at: '2026-03-10T23:45:00Z' }]);
    // L4's message is recorded after its reply (a late poll): the reply step must still be 1.
    await recordEvents(ds, l4, [{ type: T.CONNECTION_ACCEPTED_HISTORICAL, at: '2026-03-08T12:00:00Z' }]);
    await recordEvents(ds, l4, [{ type: T.MESSAGE_RECEIVED, at: '2026-03-11T00:15:00Z' }]);
    await recordEvents(ds, l4, [{ type: T.MESSAGE_SENT, at: '2026-03-09T12:00:00Z', step: 1 }]);
    await recordEvents(ds, l6, [
      { type: T.CONNECTION_REQUEST_SENT, at: '2026-03-11T09:00:00Z', step: 0 },
      { type: T.STEP_FAILED, at: '2026-03-11T09:05:00Z' },
    ]);
    await recordEvents(ds, l7, [{ type: T.MESSAGE_RECEIVED, at: '2026-03-06T15:00:00Z' }]);
  });
  afterAll(() => t.stop());

  const summary = async (campaignId: string, replyWindowDays?: number) =>
    (await gqlOk(t.graphqlUrl, CampaignSummaryDocument, { campaignId, replyWindowDays }, s.token)).campaignSummary;
  const timeseries = async (campaignId: string, days?: number, timezone?: string) =>
    (await gqlOk(t.graphqlUrl, CampaignTimeseriesDocument, { campaignId, days, timezone }, s.token)).campaignTimeseries.days;
  const replies = async (vars: { campaignId?: string; accountId?: string; from: string; to: string; timezone?: string }) =>
    (await gqlOk(t.graphqlUrl, ReplyAnalyticsDocument, vars, s.token)).replyAnalytics;

  const statuses = { total: 7, pendingInvite: 1, inviteSent: 0, connected: 0, messaged: 1, responded: 4, completed: 0, failed: 1, optedOut: 0, excluded: 0 };
  const utcWeek = [
    day('2026-03-05', 1),
    day('2026-03-06', 0, 1, 0, 1),
    day('2026-03-07', 0, 0, 1),
    day('2026-03-08', 0, 1),
    day('2026-03-09', 1, 0, 1),
    day('2026-03-10', 0, 0, 1, 1),
    day('2026-03-11', 1, 0, 0, 1),
  ];

  describe('campaignSummary', () => {
    it('should count statuses, events, leads and rates by the definitions', async () => {
      expect(await summary(campaign)).toEqual({
        campaignId: campaign,
        name: 'Spring outreach',
        status: 'ACTIVE',
        totals: statuses,
        lastActivityAt: '2026-03-11T09:05:00.000Z',
        last7Days: utcWeek,
        // Own messages (L1 11:30, L2 10:05) are not replies.
        activity: { invitesSent: 4, connectionsAccepted: 3, messagesSent: 4, repliesReceived: 5 },
        leads: { invited: 4, invitedAccepted: 2, messaged: 3, replied: 4, messagedReplied: 2 },
        acceptanceRate: 0.5,
        replyRate: 2 / 3,
        replyWindowDays: 7,
        // 03-05..03-11: L7, L3, L4; first messaged then: L2, L4 (L4 replied).
        replyCountLastNDays: 3,
        messagedLastNDays: 2,
        replyRateLastNDays: 0.5,
      });
    });

    it('should widen the reply window when asked', async () => {
      expect(await summary(campaign, 10)).toMatchObject({
        replyWindowDays: 10,
        replyCountLastNDays: 5,
        messagedLastNDays: 3,
        replyRateLastNDays: 2 / 3,
      });
      expect(await summary(campaign, 1)).toMatchObject({ replyCountLastNDays: 1, messagedLastNDays: 0, replyRateLastNDays: null });
    });

    it('should answer zeros and null rates for an empty campaign', async () => {
      expect(await summary(empty)).toEqual({
        campaignId: empty,
        name: 'Nobody yet',
        status: 'ACTIVE',
        totals: { ...statuses, total: 0, pendingInvite: 0, messaged: 0, responded: 0, failed: 0 },
        lastActivityAt: null,
        last7Days: utcWeek.map((d) => day(d.day)),
        activity: { invitesSent: 0, connectionsAccepted: 0, messagesSent: 0, repliesReceived: 0 },
        leads: { invited: 0, invitedAccepted: 0, messaged: 0, replied: 0, messagedReplied: 0 },
        acceptanceRate: null,
        replyRate: null,
        replyWindowDays: 7,
        replyCountLastNDays: 0,
        messagedLastNDays: 0,
        replyRateLastNDays: null,
      });
    });

    it('should agree with automationStatus', async () => {
      const { automationStatus } = await gqlOk(t.graphqlUrl, AutomationStatusDocument, { campaignId: campaign }, s.token);
      expect(automationStatus).toEqual({ campaignId: campaign, counts: statuses });
    });
  });

  describe('campaignTimeseries', () => {
    it('should give UTC days, zero-filled, the same as the summary week', async () => {
      expect(await timeseries(campaign, 7)).toEqual(utcWeek);
      const month = await timeseries(campaign);
      expect(month).toHaveLength(30);
      expect(month[0]).toEqual(day('2026-02-10'));
      expect(month.slice(-7)).toEqual(utcWeek);
      expect(month.filter((d) => d.day >= '2026-03-01' && d.day < '2026-03-05')).toEqual([
        day('2026-03-01', 1),
        day('2026-03-02', 0, 1),
        day('2026-03-03', 0, 0, 1, 1),
        day('2026-03-04', 0, 0, 0, 1),
      ]);
    });

    it('should move events across midnight in other time zones, DST and half-hour offsets included', async () => {
      expect(await timeseries(campaign, 7, 'Europe/Paris')).toEqual([
        day('2026-03-05', 1),
        day('2026-03-06', 0, 1, 0, 1),
        day('2026-03-07', 0, 0, 1),
        day('2026-03-08', 0, 1),
        day('2026-03-09', 0, 0, 1),
        day('2026-03-10', 1, 0, 1),
        day('2026-03-11', 1, 0, 0, 2),
      ]);
      expect(await timeseries(campaign, 7, 'America/New_York')).toEqual([
        day('2026-03-05', 1),
        day('2026-03-06', 0, 1, 0, 1),
        day('2026-03-07', 0, 0, 1),
        day('2026-03-08', 0, 1),
        day('2026-03-09', 1, 0, 1),
        day('2026-03-10', 0, 0, 1, 2),
        day('2026-03-11', 1),
      ]);
      expect(await timeseries(campaign, 2, 'Asia/Kolkata')).toEqual([day('2026-03-10', 1, 0, 1), day('2026-03-11', 1, 0, 0, 2)]);
    });

    it('should refuse an unknown time zone and out-of-range days', async () => {
      const res = await gql(t.graphqlUrl, CampaignTimeseriesDocument, { campaignId: campaign, timezone: 'Mars/Olympus' }, s.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      for (const days of [0, 367]) {
        expect(errorCode(await gql(t.graphqlUrl, CampaignTimeseriesDocument, { campaignId: campaign, days }, s.token))).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('accountRateUsage', () => {
    it('should show sends against the warm-up caps, the weekly total and the next slot after the cooldown', async () => {
      const { accountRateUsage } = await gqlOk(t.graphqlUrl, AccountRateUsageDocument, { accountId: one, days: 3 }, s.token);
      expect(accountRateUsage).toEqual({
        accountId: one,
        timezone: 'UTC',
        days: [
          { day: '2026-03-09', invitesSent: 0, inviteCap: 5, warmupApplied: true, messagesSent: 0, messageCap: 100 },
          { day: '2026-03-10', invitesSent: 0, inviteCap: 8, warmupApplied: true, messagesSent: 1, messageCap: 100 },
          { day: '2026-03-11', invitesSent: 1, inviteCap: 11, warmupApplied: true, messagesSent: 0, messageCap: 100 },
        ],
        // 03-05..03-11: L2's and L6's invites.
        invitesLast7Days: 2,
        weeklyInviteCap: 100,
        cooldownUntil: '2026-03-11T18:00:00.000Z',
        // The cooldown ends after today's window (09:00–17:00 UTC): Thursday 09:00.
        nextEligibleAt: '2026-03-12T09:00:00.000Z',
        nextInviteAt: '2026-03-12T09:00:00.000Z',
        nextMessageAt: '2026-03-12T09:00:00.000Z',
      });
    });

    it("should use the account's local days, and give no next slot while it is paused", async () => {
      const { accountRateUsage } = await gqlOk(t.graphqlUrl, AccountRateUsageDocument, { accountId: two }, s.token);
      expect(accountRateUsage.timezone).toBe('Europe/Paris');
      expect(accountRateUsage.days.map((d) => [d.day, d.invitesSent, d.messagesSent, d.inviteCap, d.warmupApplied])).toEqual([
        ['2026-03-05', 0, 0, 25, false],
        ['2026-03-06', 0, 0, 25, false],
        ['2026-03-07', 0, 0, 25, false],
        ['2026-03-08', 0, 0, 25, false],
        ['2026-03-09', 0, 1, 25, false],
        // L3's invite, 03-09 23:30 UTC, was 00:30 in Paris.
        ['2026-03-10', 1, 0, 25, false],
        ['2026-03-11', 0, 0, 25, false],
      ]);
      expect(accountRateUsage).toMatchObject({ invitesLast7Days: 1, nextEligibleAt: null, nextInviteAt: null, nextMessageAt: null });
    });
  });

  describe('replyAnalytics', () => {
    it('should give timings, steps, per-account rates and the hour and weekday spread of a campaign', async () => {
      expect(await replies({ campaignId: campaign, from: '2026-03-01', to: '2026-03-11' })).toEqual({
        campaignId: campaign,
        accountId: null,
        from: '2026-03-01',
        to: '2026-03-11',
        timezone: 'UTC',
        repliedLeads: 4,
        // L3 87,300 s, L4 130,500 s, L1 180,000 s (L7 had no outbound action).
        fromFirstOutbound: { leads: 3, medianSeconds: 130_500, p90Seconds: expect.closeTo(170_100, 6), meanSeconds: 132_600 },
        // L1 90,000 s, L4 216,900 s.
        fromAcceptance: { leads: 2, medianSeconds: 153_450, p90Seconds: expect.closeTo(204_210, 6), meanSeconds: 153_450 },
        byStep: [
          { stepIndex: null, replies: 1 },
          { stepIndex: 0, replies: 1 },
          { stepIndex: 1, replies: 2 },
        ],
        byAccount: [
          { accountId: one, displayName: 'Sender One', messaged: 2, replied: 1, replyRate: 0.5 },
          { accountId: two, displayName: 'Sender Two', messaged: 1, replied: 1, replyRate: 1 },
        ],
        byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, replies: [0, 8, 11, 15, 23].includes(hour) ? 1 : 0 })),
        byWeekday: [0, 2, 2, 0, 1, 0, 0].map((replies, i) => ({ weekday: i + 1, replies })),
        variants: [],
      });
    });

    it('should read hours, weekdays and days in the given time zone', async () => {
      const kolkata = await replies({ campaignId: campaign, from: '2026-03-01', to: '2026-03-11', timezone: 'Asia/Kolkata' });
      expect(kolkata.byHour.filter((h) => h.replies > 0)).toEqual([
        { hour: 5, replies: 2 },
        { hour: 13, replies: 1 },
        { hour: 16, replies: 1 },
        { hour: 20, replies: 1 },
      ]);
      expect(kolkata.byWeekday.map((d) => d.replies)).toEqual([0, 1, 3, 0, 1, 0, 0]);
      // L3's reply (03-10 23:45 UTC) is on the 10th in UTC, the 11th in Kolkata; L4's too in New York.
      expect((await replies({ campaignId: campaign, from: '2026-03-10', to: '2026-03-10' })).repliedLeads).toBe(1);
      expect((await replies({ campaignId: campaign, from: '2026-03-10', to: '2026-03-10', timezone: 'Asia/Kolkata' })).repliedLeads).toBe(0);
      expect((await replies({ campaignId: campaign, from: '2026-03-10', to: '2026-03-10', timezone: 'America/New_York' })).repliedLeads).toBe(2);
    });

    it('should narrow to one sender account, and cover the whole workspace without ids', async () => {
      const ofTwo = await replies({ accountId: two, from: '2026-03-01', to: '2026-03-11' });
      expect(ofTwo).toMatchObject({
        campaignId: null,
        accountId: two,
        repliedLeads: 3,
        byStep: [
          { stepIndex: null, replies: 1 },
          { stepIndex: 0, replies: 1 },
          { stepIndex: 1, replies: 1 },
        ],
        byAccount: [{ accountId: two, displayName: 'Sender Two', messaged: 1, replied: 1, replyRate: 1 }],
      });
      expect(ofTwo.byHour.filter((h) => h.replies > 0).map((h) => h.hour)).toEqual([0, 15, 23]);
      const workspace = await replies({ from: '2026-03-01', to: '2026-03-11' });
      const ofCampaign = await replies({ campaignId: campaign, from: '2026-03-01', to: '2026-03-11' });
      expect({ ...workspace, campaignId: campaign }).toEqual(ofCampaign);
    });

    it('should answer empty figures for an empty campaign', async () => {
      expect(await replies({ campaignId: empty, from: '2026-03-01', to: '2026-03-11' })).toMatchObject({
        repliedLeads: 0,
        fromFirstOutbound: { leads: 0, medianSeconds: null, p90Seconds: null, meanSeconds: null },
        fromAcceptance: { leads: 0, medianSeconds: null, p90Seconds: null, meanSeconds: null },
        byStep: [],
        byAccount: [],
        byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, replies: 0 })),
        variants: [],
      });
    });

    it('should refuse bad dates, reversed or too long ranges and unknown zones', async () => {
      for (const vars of [
        { from: '2026-3-01', to: '2026-03-11' },
        { from: '2026-02-30', to: '2026-03-11' },
        { from: '2026-03-11', to: '2026-03-01' },
        { from: '2025-01-01', to: '2026-03-11' },
        { from: '2026-03-01', to: '2026-03-11', timezone: 'Nowhere/Special' },
      ]) {
        expect(errorCode(await gql(t.graphqlUrl, ReplyAnalyticsDocument, { campaignId: campaign, ...vars }, s.token))).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('access', () => {
    it("should answer NOT_FOUND for another workspace's campaign or account, and BAD_USER_INPUT for malformed ids", async () => {
      const range = { from: '2026-03-01', to: '2026-03-11' };
      const calls = [
        gql(t.graphqlUrl, CampaignSummaryDocument, { campaignId: foreignCampaign }, s.token),
        gql(t.graphqlUrl, CampaignTimeseriesDocument, { campaignId: foreignCampaign }, s.token),
        gql(t.graphqlUrl, AutomationStatusDocument, { campaignId: foreignCampaign }, s.token),
        gql(t.graphqlUrl, AccountRateUsageDocument, { accountId: foreignAccount }, s.token),
        gql(t.graphqlUrl, ReplyAnalyticsDocument, { campaignId: foreignCampaign, ...range }, s.token),
        gql(t.graphqlUrl, ReplyAnalyticsDocument, { accountId: foreignAccount, ...range }, s.token),
        // The owner of the data sees it; the other workspace does not see ours.
        gql(t.graphqlUrl, CampaignSummaryDocument, { campaignId: campaign }, other.token),
      ];
      expect((await Promise.all(calls)).map(errorCode)).toEqual(Array(7).fill('NOT_FOUND'));
      expect(errorCode(await gql(t.graphqlUrl, CampaignSummaryDocument, { campaignId: 'not-a-uuid' }, s.token))).toBe('BAD_USER_INPUT');
      expect((await gqlOk(t.graphqlUrl, CampaignSummaryDocument, { campaignId: foreignCampaign }, other.token)).campaignSummary.totals.total).toBe(0);
    });

    it('should require a signed-in caller', async () => {
      expect(errorCode(await gql(t.graphqlUrl, CampaignSummaryDocument, { campaignId: campaign }))).toBe('UNAUTHENTICATED');
    });
  });
});
