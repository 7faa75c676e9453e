import { Arg, Authorized, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { UnauthenticatedError } from '../../core/errors';
import type { LiveEvent } from '../../core/pubsub/live-event-feed';
import type { Viewer } from '../../core/graphql/viewer';
import { LiveService, type LiveFilter } from './live.service';
import {
  AccountStatusChange,
  CampaignStatsUpdate,
  JobProgressUpdate,
  LeadStatusChange,
  LiveEventEntry,
  LiveTopicEnum,
  ReplyNotification,
} from './live.types';

type Args = { campaignId?: string | null; accountId?: string | null; jobId?: string | null; after?: string | null };

// Subscriptions resolve their service from the per-request container: `subscribe` runs outside
// the resolver instance. They check the viewer there, once per subscription, rather than with
// @Authorized, whose middleware would run again for every event and every subscriber.
const stream =
  (topic: LiveTopicEnum, filter: (args: Args) => Omit<LiveFilter, 'topic'> = (a) => a) =>
  ({ args, context }: SubscribeResolverData<unknown, Args, GraphQLContext>) => {
    if (!context.viewer) throw new UnauthenticatedError();
    const service = context.container.get(LiveService) as LiveService;
    return service.stream(context.viewer, { topic, ...filter(args) }, args.after);
  };

const payload = <T>(event: LiveEvent): T => ({ eventId: event.id, ...event.payload }) as T;

@Resolver()
export class LiveResolver {
  constructor(private readonly live: LiveService) {}

  @Authorized()
  @Query(() => [LiveEventEntry], { description: 'Live events after an id (oldest first): what a reconnecting client missed' })
  liveEvents(
    @CurrentViewer() viewer: Viewer,
    @Arg('after', () => ID) after: string,
    @Arg('topics', () => [LiveTopicEnum], { nullable: true }) topics: LiveTopicEnum[] | null,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
  ): Promise<LiveEvent[]> {
    return this.live.catchUp(viewer, after, topics, first);
  }

  @Subscription(() => ReplyNotification, { subscribe: stream(LiveTopicEnum.REPLY_RECEIVED), description: 'Replies in the workspace (or one campaign); after: resume after a live event id' })
  replyReceived(
    @Root() event: LiveEvent,
    @Arg('campaignId', () => ID, { nullable: true }) _campaignId?: string,
    @Arg('after', () => ID, { nullable: true }) _after?: string,
  ): ReplyNotification {
    return payload(event);
  }

  @Subscription(() => LeadStatusChange, { subscribe: stream(LiveTopicEnum.LEAD_STATUS_CHANGED) })
  leadStatusChanged(
    @Root() event: LiveEvent,
    @Arg('campaignId', () => ID, { nullable: true }) _campaignId?: string,
    @Arg('after', () => ID, { nullable: true }) _after?: string,
  ): LeadStatusChange {
    return payload(event);
  }

  @Subscription(() => CampaignStatsUpdate, {
    subscribe: stream(LiveTopicEnum.LEAD_STATUS_CHANGED, (a) => ({ campaignId: a.campaignId })),
    description: "The campaign's per-status counters after each lead status change",
  })
  async campaignStatsChanged(
    @Root() event: LiveEvent,
    @CurrentViewer() viewer: Viewer,
    @Arg('campaignId', () => ID) campaignId: string,
  ): Promise<CampaignStatsUpdate> {
    return { eventId: event.id, campaignId, totals: await this.live.countersAt(viewer, campaignId, event.id) };
  }

  @Subscription(() => AccountStatusChange, { subscribe: stream(LiveTopicEnum.ACCOUNT_STATUS_CHANGED) })
  accountStatusChanged(
    @Root() event: LiveEvent,
    @Arg('accountId', () => ID, { nullable: true }) _accountId?: string,
    @Arg('after', () => ID, { nullable: true }) _after?: string,
  ): AccountStatusChange {
    const change = payload<AccountStatusChange>(event);
    return { ...change, kind: change.kind ?? null, day: change.day ?? null };
  }

  @Subscription(() => JobProgressUpdate, { subscribe: stream(LiveTopicEnum.JOB_PROGRESS, (a) => ({ jobId: a.jobId })) })
  jobProgress(@Root() event: LiveEvent, @Arg('jobId', () => ID) jobId: string): JobProgressUpdate {
    return { eventId: event.id, jobId, progress: event.payload };
  }
}
