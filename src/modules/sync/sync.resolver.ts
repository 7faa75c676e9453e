import { Arg, Args, Authorized, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import { SyncKind, SyncRun } from './sync-run.entity';
import type { SyncService } from './sync.service';
import { RateUsageBackfillArgs, SyncRunsArgs, SyncScopeArgs } from './sync.types';

@Resolver()
export class SyncResolver {
  constructor(private readonly service: SyncService) {}

  @Authorized(Role.ADMIN)
  @Mutation(() => SyncRun, { description: "Matches the senders' LinkedIn connections to leads before their first reply (connection_accepted_historical)" })
  syncHistoricalConnections(@CurrentViewer() viewer: Viewer, @Args() { campaignId, accountId, wait }: SyncScopeArgs): Promise<SyncRun> {
    return this.service.start(viewer, SyncKind.HISTORICAL_CONNECTIONS, { campaignId: campaignId ?? undefined, accountId: accountId ?? undefined }, wait);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SyncRun, { description: 'Finds the chat id of connected leads that have none (also nightly)' })
  backfillConversations(@CurrentViewer() viewer: Viewer, @Args() { campaignId, accountId, wait }: SyncScopeArgs): Promise<SyncRun> {
    return this.service.start(viewer, SyncKind.CONVERSATIONS, { campaignId: campaignId ?? undefined, accountId: accountId ?? undefined }, wait);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SyncRun, { description: 'Rebuilds the rate ledger from the events, per local day of each account (also nightly)' })
  backfillRateUsage(@CurrentViewer() viewer: Viewer, @Args() { accountId, days, wait }: RateUsageBackfillArgs): Promise<SyncRun> {
    return this.service.start(viewer, SyncKind.RATE_USAGE, { accountId: accountId ?? undefined, days }, wait);
  }

  @Authorized()
  @Query(() => SyncRun, { description: 'A sync run and its progress' })
  syncRun(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<SyncRun> {
    return this.service.get(viewer, id);
  }

  @Authorized()
  @Query(() => [SyncRun], { description: 'Recent sync runs, newest first' })
  syncRuns(@CurrentViewer() viewer: Viewer, @Args() { kind, first }: SyncRunsArgs): Promise<SyncRun[]> {
    return this.service.list(viewer, kind, first);
  }
}
