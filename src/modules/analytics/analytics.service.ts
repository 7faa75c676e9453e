import type { Clock } from '../../core/clock';
import { InputError, NotFoundError } from '../../core/errors';
import { type AccountCaps, AccountStatus, dailyCap } from '../accounts';
import type { Viewer } from '../../core/graphql/viewer';
import type { CampaignStatus } from '../campaigns';
import { LeadStatus } from '../leads';
import { Metric, rate } from './analytics-definitions';
import { assertTimezone, coveringWindow, dayRangeBetween, daysOf, lastDays } from './analytics-time';
import type { AccountRow, AnalyticsRepository, DayCounts, ReplyScope } from './analytics.repository';
import type {
  AccountRateUsage,
  AccountRateUsageArgs,
  AutomationStatus,
  CampaignSummary,
  CampaignSummaryArgs,
  CampaignTimeseries,
  CampaignTimeseriesArgs,
  DailyActivity,
  LeadStatusCounts,
  ReplyAnalytics,
  ReplyAnalyticsArgs,
  ReplyTiming,
} from './analytics.types';
import { invitesInWeekEnding, nextEligibleAt } from './next-eligible';

/** Campaign, account and reply analytics of the viewer's workspace (definitions: analytics-definitions.ts). */
export class AnalyticsService {
  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly clock: Clock,
  ) {}

  // The hot queries check ownership in the statement that computes them (one round trip each);
  // nothing is returned for an id outside the viewer's workspace, which is then NOT_FOUND.

  async automationStatus(viewer: Viewer, campaignId: string): Promise<AutomationStatus> {
    const counts = await this.repository.statusCounts(viewer.workspaceId, assertUuid(campaignId, 'campaignId'));
    if (!counts) throw new NotFoundError('Campaign', campaignId);
    return { campaignId, counts: statusCounts(counts) };
  }

  async campaignSummary(viewer: Viewer, args: CampaignSummaryArgs): Promise<CampaignSummary> {
    const now = this.clock.now();
    const window = lastDays('UTC', now, args.replyWindowDays);
    const row = await this.repository.campaignSummary(viewer.workspaceId, assertUuid(args.campaignId, 'campaignId'), lastDays('UTC', now, 7), window.from);
    if (!row) throw new NotFoundError('Campaign', args.campaignId);
    const total = (metric: Metric) => row.totals[String(metric)] ?? 0;
    return {
      campaignId: row.id,
      name: row.name,
      status: row.status as CampaignStatus,
      totals: statusCounts(row.statuses),
      lastActivityAt: row.last_activity_at,
      last7Days: row.last_days.map(dailyActivity),
      activity: {
        invitesSent: total(Metric.INVITE),
        connectionsAccepted: total(Metric.ACCEPTANCE),
        messagesSent: total(Metric.MESSAGE),
        repliesReceived: total(Metric.REPLY),
      },
      leads: {
        invited: row.invited,
        invitedAccepted: row.invited_accepted,
        messaged: row.messaged,
        replied: row.replied,
        messagedReplied: row.messaged_replied,
      },
      acceptanceRate: rate(row.invited_accepted, row.invited),
      replyRate: rate(row.messaged_replied, row.messaged),
      replyWindowDays: args.replyWindowDays,
      replyCountLastNDays: row.window_replies,
      messagedLastNDays: row.window_messaged,
      replyRateLastNDays: rate(row.window_messaged_replied, row.window_messaged),
    };
  }

  async campaignTimeseries(viewer: Viewer, args: CampaignTimeseriesArgs): Promise<CampaignTimeseries> {
    assertTimezone(args.timezone);
    const campaignId = assertUuid(args.campaignId, 'campaignId');
    const days = await this.repository.campaignDays(viewer.workspaceId, campaignId, lastDays(args.timezone, this.clock.now(), args.days));
    if (days.length === 0) throw new NotFoundError('Campaign', args.campaignId);
    return { campaignId, timezone: args.timezone, days: days.map(dailyActivity) };
  }

  async accountRateUsage(viewer: Viewer, args: AccountRateUsageArgs): Promise<AccountRateUsage> {
    const now = this.clock.now();
    // At least the last 7 days: the rolling weekly cap needs them whatever `days` asks to show.
    const shown = Math.max(args.days, 7);
    const found = await this.repository.accountWithSends(viewer.workspaceId, assertUuid(args.accountId, 'accountId'), coveringWindow(now, shown));
    if (!found) throw new NotFoundError('Account', args.accountId);
    const { account } = found;
    // The local days, zero-filled; rows of the covering window outside them are left out.
    const recorded = new Map(found.sends.map((s) => [s.day, s]));
    const sends = daysOf(lastDays(account.timezone, now, shown)).map((day) => recorded.get(day) ?? { day, invites: 0, messages: 0 });
    const sent = new Map(sends.map((s) => [s.day, { invites: s.invites, messages: s.messages }]));
    const caps = accountCaps(account);
    const today = sends[sends.length - 1].day;
    const eligibility = {
      now,
      active: account.status === AccountStatus.ACTIVE,
      hours: {
        timezone: account.timezone,
        workStartMinute: account.work_start_minute,
        workEndMinute: account.work_end_minute,
        workingDays: account.working_days,
      },
      caps,
      cooldownUntil: account.cooldown_until,
      sent,
    };
    const nextInviteAt = nextEligibleAt(eligibility, 'invite');
    const nextMessageAt = nextEligibleAt(eligibility, 'message');
    return {
      accountId: account.id,
      timezone: account.timezone,
      days: sends.slice(-args.days).map((s) => {
        const inviteCap = dailyCap(caps, 'invite', s.day);
        return {
          day: s.day,
          invitesSent: s.invites,
          inviteCap,
          warmupApplied: inviteCap < caps.dailyInviteCap,
          messagesSent: s.messages,
          messageCap: dailyCap(caps, 'message', s.day),
        };
      }),
      invitesLast7Days: invitesInWeekEnding(sent, today),
      weeklyInviteCap: account.weekly_invite_cap,
      cooldownUntil: account.cooldown_until,
      nextEligibleAt: earliest(nextInviteAt, nextMessageAt),
      nextInviteAt,
      nextMessageAt,
    };
  }

  async replyAnalytics(viewer: Viewer, args: ReplyAnalyticsArgs): Promise<ReplyAnalytics> {
    assertTimezone(args.timezone);
    const range = dayRangeBetween(args.timezone, args.from, args.to);
    const scope: ReplyScope = { workspaceId: viewer.workspaceId };
    if (args.campaignId) scope.campaignId = (await this.campaign(viewer, args.campaignId)).id;
    if (args.accountId) scope.accountId = (await this.account(viewer, args.accountId)).id;
    const [timing, steps, accounts, distribution] = await Promise.all([
      this.repository.replyTiming(scope, range),
      this.repository.repliesByStep(scope, range),
      this.repository.replyRateByAccount(scope, range),
      this.repository.replyDistribution(scope, range),
    ]);
    const replyTiming = (leads: number, median: number | null, p90: number | null, mean: number | null): ReplyTiming => ({
      leads,
      medianSeconds: median,
      p90Seconds: p90,
      meanSeconds: mean,
    });
    return {
      campaignId: scope.campaignId ?? null,
      accountId: scope.accountId ?? null,
      from: range.firstDay,
      to: range.lastDay,
      timezone: args.timezone,
      repliedLeads: timing.replied,
      fromFirstOutbound: replyTiming(timing.outbound_leads, timing.outbound_median, timing.outbound_p90, timing.outbound_mean),
      fromAcceptance: replyTiming(timing.acceptance_leads, timing.acceptance_median, timing.acceptance_p90, timing.acceptance_mean),
      byStep: steps.map((s) => ({ stepIndex: s.step, replies: s.replies })),
      byAccount: accounts.map((a) => ({
        accountId: a.account_id,
        displayName: a.display_name,
        messaged: a.messaged,
        replied: a.replied,
        replyRate: rate(a.replied, a.messaged),
      })),
      byHour: distribution.byHour.map((replies, hour) => ({ hour, replies })),
      byWeekday: distribution.byWeekday.map((replies, i) => ({ weekday: i + 1, replies })),
      // Sequences have no message variants yet; the field is there for when they do.
      variants: [],
    };
  }

  private async campaign(viewer: Viewer, campaignId: string) {
    const campaign = await this.repository.findCampaign(viewer.workspaceId, assertUuid(campaignId, 'campaignId'));
    if (!campaign) throw new NotFoundError('Campaign', campaignId);
    return campaign;
  }

  private async account(viewer: Viewer, accountId: string) {
    const account = await this.repository.findAccount(viewer.workspaceId, assertUuid(accountId, 'accountId'));
    if (!account) throw new NotFoundError('Account', accountId);
    return account;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Ids go into uuid parameters: a malformed one is the caller's mistake, not a database error.
// Returned lower-cased, as Postgres prints a uuid (answers echo the canonical id).
function assertUuid(id: string, field: string): string {
  if (!UUID.test(id)) throw new InputError(`${field} is not an id`, { field });
  return id.toLowerCase();
}

function statusCounts(counts: Record<string, number>): LeadStatusCounts {
  const of = (status: LeadStatus) => counts[status] ?? 0;
  return {
    total: Object.values(LeadStatus).reduce((sum, status) => sum + of(status), 0),
    pendingInvite: of(LeadStatus.PENDING_INVITE),
    inviteSent: of(LeadStatus.INVITE_SENT),
    connected: of(LeadStatus.CONNECTED),
    messaged: of(LeadStatus.MESSAGED),
    responded: of(LeadStatus.RESPONDED),
    completed: of(LeadStatus.COMPLETED),
    failed: of(LeadStatus.FAILED),
    optedOut: of(LeadStatus.OPTED_OUT),
    excluded: of(LeadStatus.EXCLUDED),
  };
}

const dailyActivity = (d: DayCounts): DailyActivity => ({
  day: d.day,
  invitesSent: d.invites,
  connectionsAccepted: d.acceptances,
  messagesSent: d.messages,
  repliesReceived: d.replies,
});

const accountCaps = (a: AccountRow): AccountCaps => ({
  timezone: a.timezone,
  dailyInviteCap: a.daily_invite_cap,
  dailyMessageCap: a.daily_message_cap,
  weeklyInviteCap: a.weekly_invite_cap,
  rampStartCap: a.ramp_start_cap,
  rampDailyIncrement: a.ramp_daily_increment,
  rampTargetCap: a.ramp_target_cap,
  rampStartedAt: a.ramp_started_at,
});

const earliest = (a: Date | null, b: Date | null): Date | null => (a && b ? (a < b ? a : b) : (a ?? b));
