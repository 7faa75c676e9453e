import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LeadStatusCounts } from '../analytics';

export enum LiveTopicEnum {
  REPLY_RECEIVED = 'REPLY_RECEIVED',
  LEAD_STATUS_CHANGED = 'LEAD_STATUS_CHANGED',
  ACCOUNT_STATUS_CHANGED = 'ACCOUNT_STATUS_CHANGED',
  JOB_PROGRESS = 'JOB_PROGRESS',
  /** A campaign was set to COMPLETED (payload: campaignId, name, from, status, at). */
  CAMPAIGN_COMPLETED = 'CAMPAIGN_COMPLETED',
}
registerEnumType(LiveTopicEnum, { name: 'LiveTopic' });

@ObjectType({ description: 'A lead wrote to a sender (never the sender’s own messages)' })
export class ReplyNotification {
  @Field(() => ID, { description: 'The live event id: resubscribe with after: this id to miss nothing' })
  eventId!: string;

  @Field(() => ID)
  leadId!: string;

  @Field(() => ID)
  campaignId!: string;

  @Field(() => ID, { nullable: true })
  accountId!: string | null;

  @Field(() => String, { nullable: true })
  text!: string | null;

  @Field(() => Int, { nullable: true, description: 'The step whose action came last before the reply' })
  stepIndex!: number | null;

  @Field()
  occurredAt!: Date;

  @Field()
  detectedAt!: Date;

  @Field({ description: 'webhook, poll or sync' })
  source!: string;
}

@ObjectType()
export class LeadStatusChange {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  leadId!: string;

  @Field(() => ID)
  campaignId!: string;

  @Field(() => ID, { nullable: true })
  accountId!: string | null;

  @Field(() => String, { nullable: true })
  from!: string | null;

  @Field()
  to!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field()
  occurredAt!: Date;

  @Field()
  source!: string;
}

@ObjectType({ description: 'A sender account changed: status (paused, disconnected …), cooldown, or a daily cap reached' })
export class AccountStatusChange {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  accountId!: string;

  @Field({ description: 'STATUS, COOLDOWN or CAP_REACHED' })
  change!: string;

  @Field()
  status!: string;

  @Field(() => String, { nullable: true })
  statusReason!: string | null;

  @Field(() => Date, { nullable: true })
  cooldownUntil!: Date | null;

  @Field(() => String, { nullable: true, description: 'CAP_REACHED: invite or message' })
  kind!: string | null;

  @Field(() => String, { nullable: true, description: 'CAP_REACHED: the local day' })
  day!: string | null;

  @Field()
  at!: Date;
}

@ObjectType({ description: "A campaign's counters after a change" })
export class CampaignStatsUpdate {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  campaignId!: string;

  @Field(() => LeadStatusCounts)
  totals!: LeadStatusCounts;
}

@ObjectType()
export class JobProgressUpdate {
  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  jobId!: string;

  @Field(() => GraphQLJSONObject)
  progress!: Record<string, unknown>;
}

@ObjectType({ description: 'An entry of the live event log, for catching up after a reconnect' })
export class LiveEventEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => LiveTopicEnum)
  topic!: LiveTopicEnum;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field(() => ID, { nullable: true })
  accountId!: string | null;

  @Field(() => GraphQLJSONObject)
  payload!: Record<string, unknown>;

  @Field()
  createdAt!: Date;
}
