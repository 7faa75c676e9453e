import { Arg, Args, Authorized, ID, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import { costPer } from '../../core/graphql/limits';
import type { Viewer } from '../../core/graphql/viewer';
import type { AnalyticsService } from './analytics.service';
import {
  AccountRateUsage,
  AccountRateUsageArgs,
  AutomationStatus,
  CampaignSummary,
  CampaignSummaryArgs,
  CampaignTimeseries,
  CampaignTimeseriesArgs,
  ReplyAnalytics,
  ReplyAnalyticsArgs,
} from './analytics.types';

@Resolver()
export class AnalyticsResolver {
  constructor(private readonly service: AnalyticsService) {}

  @Authorized()
  @Query(() => CampaignSummary, { description: 'Statuses, counts, last 7 UTC days and rates of a campaign (README "Analytics")' })
  campaignSummary(@CurrentViewer() viewer: Viewer, @Args() args: CampaignSummaryArgs): Promise<CampaignSummary> {
    return this.service.campaignSummary(viewer, args);
  }

  @Authorized()
  @Query(() => CampaignTimeseries, { description: 'Invites, acceptances, messages and replies per day, zero-filled', complexity: costPer('days') })
  campaignTimeseries(@CurrentViewer() viewer: Viewer, @Args() args: CampaignTimeseriesArgs): Promise<CampaignTimeseries> {
    return this.service.campaignTimeseries(viewer, args);
  }

  @Authorized()
  @Query(() => AccountRateUsage, {
    description: "A sender's sends per local day against its caps, and when it may next send",
    complexity: costPer('days'),
  })
  accountRateUsage(@CurrentViewer() viewer: Viewer, @Args() args: AccountRateUsageArgs): Promise<AccountRateUsage> {
    return this.service.accountRateUsage(viewer, args);
  }

  @Authorized()
  @Query(() => ReplyAnalytics, { description: 'Time to first reply, replies by step, account, hour and weekday' })
  replyAnalytics(@CurrentViewer() viewer: Viewer, @Args() args: ReplyAnalyticsArgs): Promise<ReplyAnalytics> {
    return this.service.replyAnalytics(viewer, args);
  }

  @Authorized()
  @Query(() => AutomationStatus, { description: 'Leads of a campaign per status' })
  automationStatus(@CurrentViewer() viewer: Viewer, @Arg('campaignId', () => ID) campaignId: string): Promise<AutomationStatus> {
    return this.service.automationStatus(viewer, campaignId);
  }
}
