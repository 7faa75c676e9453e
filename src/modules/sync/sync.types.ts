import { Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { DEFAULT_RATE_USAGE_DAYS } from './rate-usage-backfill';
import { SyncKind } from './sync-run.entity';

@ArgsType()
export class SyncScopeArgs {
  @Field(() => ID, { nullable: true, description: "Only this campaign's leads (and its senders)" })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this sender account' })
  accountId?: string | null;

  @Field({ defaultValue: false, description: 'Run in this request and return the finished run; otherwise it is queued and followed with syncRun(id)' })
  wait!: boolean;
}

@ArgsType()
export class RateUsageBackfillArgs {
  @Field(() => ID, { nullable: true, description: 'Only this sender account' })
  accountId?: string | null;

  @Field(() => Int, { defaultValue: DEFAULT_RATE_USAGE_DAYS, description: 'Local days rebuilt, today included (1 to 366)' })
  @Min(1)
  @Max(366)
  days!: number;

  @Field({ defaultValue: false })
  wait!: boolean;
}

@ArgsType()
export class SyncRunsArgs {
  @Field(() => SyncKind, { nullable: true })
  kind?: SyncKind | null;

  @Field(() => Int, { defaultValue: 20 })
  @Min(1)
  @Max(100)
  first!: number;
}
