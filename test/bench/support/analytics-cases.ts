import type { AnalyticsService } from '../../../src/modules/analytics/analytics.service';
import type { Viewer } from '../../../src/core/graphql/viewer';

// The analytics queries the benchmarks time: each as a GraphQL operation, and as the service call
// that runs the same statements (to capture them).

export type AnalyticsCase = {
  name: string;
  target: number;
  query: string;
  variables: Record<string, unknown>;
  /** The same call on the service, to capture its SQL. */
  service: (s: AnalyticsService, viewer: Viewer) => Promise<unknown>;
};

/** Today and 29 days before (UTC), as YYYY-MM-DD: a 30-day range ending today. */
export function lastThirtyDays(): { today: string; monthAgo: string } {
  return { today: new Date().toISOString().slice(0, 10), monthAgo: new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10) };
}

/** Every analytics query over one campaign, one sender account and a date range. */
export function analyticsCases({ campaign, account, from, to }: { campaign: string; account: string; from: string; to: string }): AnalyticsCase[] {
  const replyFields = `repliedLeads fromFirstOutbound { leads medianSeconds p90Seconds meanSeconds } fromAcceptance { leads medianSeconds }
    byStep { stepIndex replies } byAccount { accountId messaged replied replyRate } byHour { hour replies } byWeekday { weekday replies }`;
  const dayFields = 'day invitesSent connectionsAccepted messagesSent repliesReceived';
  return [
    {
      name: 'campaignSummary (one campaign, 7-day window)',
      target: 50,
      query: `query($c: ID!) { campaignSummary(campaignId: $c) { totals { total responded } lastActivityAt last7Days { ${dayFields} }
        activity { invitesSent repliesReceived } leads { messaged replied } acceptanceRate replyRate replyCountLastNDays replyRateLastNDays } }`,
      variables: { c: campaign },
      service: (s, v) => s.campaignSummary(v, { campaignId: campaign, replyWindowDays: 7 }),
    },
    {
      name: 'campaignTimeseries (30 days, UTC)',
      target: 50,
      query: `query($c: ID!) { campaignTimeseries(campaignId: $c, days: 30) { days { ${dayFields} } } }`,
      variables: { c: campaign },
      service: (s, v) => s.campaignTimeseries(v, { campaignId: campaign, days: 30, timezone: 'UTC' }),
    },
    {
      name: 'campaignTimeseries (30 days, America/New_York)',
      target: 50,
      query: `query($c: ID!) { campaignTimeseries(campaignId: $c, days: 30, timezone: "America/New_York") { days { ${dayFields} } } }`,
      variables: { c: campaign },
      service: (s, v) => s.campaignTimeseries(v, { campaignId: campaign, days: 30, timezone: 'America/New_York' }),
    },
    {
      name: 'accountRateUsage (7 days)',
      target: 50,
      query: `query($a: ID!) { accountRateUsage(accountId: $a) { days { day invitesSent inviteCap messagesSent messageCap } invitesLast7Days nextEligibleAt } }`,
      variables: { a: account },
      service: (s, v) => s.accountRateUsage(v, { accountId: account, days: 7 }),
    },
    {
      name: 'automationStatus',
      target: 50,
      query: `query($c: ID!) { automationStatus(campaignId: $c) { counts { total responded messaged } } }`,
      variables: { c: campaign },
      service: (s, v) => s.automationStatus(v, campaign),
    },
    {
      name: 'replyAnalytics (one campaign, 30 days)',
      target: 200,
      query: `query($c: ID!, $f: String!, $t: String!) { replyAnalytics(campaignId: $c, from: $f, to: $t) { ${replyFields} } }`,
      variables: { c: campaign, f: from, t: to },
      service: (s, v) => s.replyAnalytics(v, { campaignId: campaign, from, to, timezone: 'UTC' }),
    },
    {
      name: 'replyAnalytics (whole workspace, 30 days, Europe/Paris)',
      target: 200,
      query: `query($f: String!, $t: String!) { replyAnalytics(from: $f, to: $t, timezone: "Europe/Paris") { ${replyFields} } }`,
      variables: { f: from, t: to },
      service: (s, v) => s.replyAnalytics(v, { from, to, timezone: 'Europe/Paris' }),
    },
  ];
}
