import { Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { CampaignStatus } from '../campaigns';
import { MAX_DAYS } from './analytics-definitions';

// Definitions of every number: README "Analytics" and analytics-definitions.ts.

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

@ObjectType({ description: "Leads per status (lead.status now); total is their sum: the seed's automation status" })
export class LeadStatusCounts {
  @Field(() => Int) total!: number;
  @Field(() => Int) pendingInvite!: number;
  @Field(() => Int) inviteSent!: number;
  @Field(() => Int) connected!: number;
  @Field(() => Int) messaged!: number;
  @Field(() => Int) responded!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) optedOut!: number;
  @Field(() => Int) excluded!: number;
}

@ObjectType({ description: 'Per-status lead counts of a campaign (the same numbers as campaignSummary.totals)' })
export class AutomationStatus {
  @Field(() => ID) campaignId!: string;
  @Field(() => LeadStatusCounts) counts!: LeadStatusCounts;
}

@ObjectType({ description: 'Counted events on one day' })
export class DailyActivity {
  @Field({ description: 'The day, YYYY-MM-DD (UTC unless a time zone was given)' }) day!: string;
  @Field(() => Int, { description: 'connection_request_sent events' }) invitesSent!: number;
  @Field(() => Int, { description: 'connection_accepted + connection_accepted_historical events' }) connectionsAccepted!: number;
  @Field(() => Int, { description: 'message_sent events' }) messagesSent!: number;
  @Field(() => Int, { description: "message_received events, never the account's own messages" }) repliesReceived!: number;
}

@ObjectType({ description: 'Counted events of all time' })
export class ActivityTotals {
  @Field(() => Int) invitesSent!: number;
  @Field(() => Int) connectionsAccepted!: number;
  @Field(() => Int) messagesSent!: number;
  @Field(() => Int) repliesReceived!: number;
}

@ObjectType({ description: 'Leads with at least one event of each kind' })
export class LeadReach {
  @Field(() => Int) invited!: number;
  @Field(() => Int, { description: 'Invited leads with an acceptance' }) invitedAccepted!: number;
  @Field(() => Int) messaged!: number;
  @Field(() => Int, { description: 'Leads with a reply, messaged or not' }) replied!: number;
  @Field(() => Int, { description: 'Messaged leads with a reply' }) messagedReplied!: number;
}

@ObjectType()
export class CampaignSummary {
  @Field(() => ID) campaignId!: string;
  @Field() name!: string;
  @Field(() => CampaignStatus) status!: CampaignStatus;
  @Field(() => LeadStatusCounts) totals!: LeadStatusCounts;
  @Field(() => Date, { nullable: true, description: 'When the latest event of the campaign happened' })
  lastActivityAt!: Date | null;
  @Field(() => [DailyActivity], { description: 'The last 7 UTC days, today last, zero-filled' })
  last7Days!: DailyActivity[];
  @Field(() => ActivityTotals) activity!: ActivityTotals;
  @Field(() => LeadReach) leads!: LeadReach;
  @Field(() => Float, { nullable: true, description: 'invitedAccepted / invited; null without invites' })
  acceptanceRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'messagedReplied / messaged; null without messages' })
  replyRate!: number | null;
  @Field(() => Int) replyWindowDays!: number;
  @Field(() => Int, { description: 'Replies received in the last replyWindowDays UTC days (today included)' })
  replyCountLastNDays!: number;
  @Field(() => Int, { description: 'Leads first messaged in the last replyWindowDays UTC days' })
  messagedLastNDays!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Of the leads first messaged in the last replyWindowDays UTC days, the share that replied; null when none',
  })
  replyRateLastNDays!: number | null;
}

@ObjectType()
export class CampaignTimeseries {
  @Field(() => ID) campaignId!: string;
  @Field() timezone!: string;
  @Field(() => [DailyActivity], { description: 'One row per local day, oldest first, today last, zero-filled' })
  days!: DailyActivity[];
}

@ObjectType({ description: "An account's sends on one of its local days, against the caps that applied" })
export class AccountDayUsage {
  @Field({ description: "The account's local day, YYYY-MM-DD" }) day!: string;
  @Field(() => Int) invitesSent!: number;
  @Field(() => Int, { description: 'The daily invite cap that day (the warm-up cap while the ramp holds it lower)' })
  inviteCap!: number;
  @Field({ description: 'The warm-up ramp set the invite cap that day' }) warmupApplied!: boolean;
  @Field(() => Int) messagesSent!: number;
  @Field(() => Int) messageCap!: number;
}

@ObjectType({ description: 'Caps are computed from the current settings (their history is not kept)' })
export class AccountRateUsage {
  @Field(() => ID) accountId!: string;
  @Field({ description: "The account's time zone: days are its local days" }) timezone!: string;
  @Field(() => [AccountDayUsage], { description: 'Oldest first, today last' }) days!: AccountDayUsage[];
  @Field(() => Int, { description: 'Invites over the 7 local days ending today' }) invitesLast7Days!: number;
  @Field(() => Int) weeklyInviteCap!: number;
  @Field(() => Date, { nullable: true, description: 'No sends before this time (after a rate-limit answer)' })
  cooldownUntil!: Date | null;
  @Field(() => Date, { nullable: true, description: 'The earliest of nextInviteAt and nextMessageAt' })
  nextEligibleAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When an invite may next go out: working hours, cooldown, daily (warm-up) and weekly caps; null if never (not ACTIVE, zero caps)',
  })
  nextInviteAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a message may next go out (same rules, daily message cap)' })
  nextMessageAt!: Date | null;
}

@ObjectType({ description: 'Time from a reference moment to the first reply, over the leads where it applies' })
export class ReplyTiming {
  @Field(() => Int, { description: 'Leads measured (reply after the reference moment)' }) leads!: number;
  @Field(() => Float, { nullable: true }) medianSeconds!: number | null;
  @Field(() => Float, { nullable: true }) p90Seconds!: number | null;
  @Field(() => Float, { nullable: true }) meanSeconds!: number | null;
}

@ObjectType()
export class StepReplies {
  @Field(() => Int, { nullable: true, description: 'The step of the last invite or message before the first reply; null: none' })
  stepIndex!: number | null;
  @Field(() => Int, { description: 'Leads' }) replies!: number;
}

@ObjectType()
export class AccountReplyRate {
  @Field(() => ID, { nullable: true }) accountId!: string | null;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Int, { description: 'Leads first messaged in the range' }) messaged!: number;
  @Field(() => Int, { description: 'Of them, leads that replied' }) replied!: number;
  @Field(() => Float, { nullable: true }) replyRate!: number | null;
}

@ObjectType()
export class HourReplies {
  @Field(() => Int, { description: '0–23, local' }) hour!: number;
  @Field(() => Int) replies!: number;
}

@ObjectType()
export class WeekdayReplies {
  @Field(() => Int, { description: 'ISO weekday, 1 = Monday … 7 = Sunday, local' }) weekday!: number;
  @Field(() => Int) replies!: number;
}

@ObjectType()
export class VariantReplyRate {
  @Field() variant!: string;
  @Field(() => Int) messaged!: number;
  @Field(() => Int) replied!: number;
  @Field(() => Float, { nullable: true }) replyRate!: number | null;
}

@ObjectType()
export class ReplyAnalytics {
  @Field(() => ID, { nullable: true }) campaignId!: string | null;
  @Field(() => ID, { nullable: true }) accountId!: string | null;
  @Field() from!: string;
  @Field() to!: string;
  @Field() timezone!: string;
  @Field(() => Int, { description: 'Leads whose first reply falls in the range' }) repliedLeads!: number;
  @Field(() => ReplyTiming, { description: 'From the first invite or message' }) fromFirstOutbound!: ReplyTiming;
  @Field(() => ReplyTiming, { description: 'From the first acceptance' }) fromAcceptance!: ReplyTiming;
  @Field(() => [StepReplies], { description: 'Leads whose first reply falls in the range, by step' }) byStep!: StepReplies[];
  @Field(() => [AccountReplyRate], { description: 'Leads first messaged in the range, per sender account' })
  byAccount!: AccountReplyRate[];
  @Field(() => [HourReplies], { description: 'Replies in the range by local hour (24 rows)' }) byHour!: HourReplies[];
  @Field(() => [WeekdayReplies], { description: 'Replies in the range by local weekday (7 rows)' }) byWeekday!: WeekdayReplies[];
  @Field(() => [VariantReplyRate], {
    description: 'Per message-variant rates where variants exist. Sequences have no variants yet: always empty',
  })
  variants!: VariantReplyRate[];
}

@ArgsType()
export class CampaignSummaryArgs {
  @Field(() => ID) campaignId!: string;

  @Field(() => Int, { defaultValue: 7, description: `Days of replyCountLastNDays and replyRateLastNDays, 1 to ${MAX_DAYS}` })
  @Min(1)
  @Max(MAX_DAYS)
  replyWindowDays!: number;
}

@ArgsType()
export class CampaignTimeseriesArgs {
  @Field(() => ID) campaignId!: string;

  @Field(() => Int, { defaultValue: 30, description: `1 to ${MAX_DAYS}` })
  @Min(1)
  @Max(MAX_DAYS)
  days!: number;

  @Field({ defaultValue: 'UTC', description: 'IANA time zone of the days' })
  timezone!: string;
}

@ArgsType()
export class AccountRateUsageArgs {
  @Field(() => ID) accountId!: string;

  @Field(() => Int, { defaultValue: 7, description: `1 to ${MAX_DAYS}` })
  @Min(1)
  @Max(MAX_DAYS)
  days!: number;
}

@ArgsType()
export class ReplyAnalyticsArgs {
  @Field(() => ID, { nullable: true, description: 'Only this campaign (with accountId: its leads of that sender)' })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this sender account; neither: the whole workspace' })
  accountId?: string | null;

  @Field({ description: 'First local day, YYYY-MM-DD (inclusive)' })
  @Matches(ISO_DAY, { message: 'from must be a date YYYY-MM-DD' })
  from!: string;

  @Field({ description: `Last local day, YYYY-MM-DD (inclusive; at most ${MAX_DAYS} days after from)` })
  @Matches(ISO_DAY, { message: 'to must be a date YYYY-MM-DD' })
  to!: string;

  @Field({ defaultValue: 'UTC', description: 'IANA time zone of the days and hours' })
  timezone!: string;
}
