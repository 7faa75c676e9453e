import { IsOptional, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { AccountStatus } from '../accounts';
import { CampaignStatus, StepKind } from '../campaigns';
import { LeadStatus } from '../leads';
import { ExecutionState } from '../outreach';

@ObjectType()
export class MigrationInfo {
  @Field()
  name!: string;

  @Field({ description: 'The timestamp in the migration name (milliseconds since 1970)' })
  timestamp!: string;
}

@ObjectType({ description: 'TypeORM migrations: applied in the database, and known to this build but not applied' })
export class MigrationsStatus {
  @Field(() => [MigrationInfo])
  applied!: MigrationInfo[];

  @Field(() => [MigrationInfo])
  pending!: MigrationInfo[];

  @Field(() => [String], { description: 'Applied by this call (runMigrations only)' })
  ranNow!: string[];
}

@ObjectType({ description: "A sender's window and usage on its current local day" })
export class AccountTiming {
  @Field(() => ID)
  accountId!: string;

  @Field()
  displayName!: string;

  @Field(() => AccountStatus)
  status!: AccountStatus;

  @Field()
  timezone!: string;

  @Field({ description: 'The local day the caps apply to (YYYY-MM-DD)' })
  localDay!: string;

  @Field({ description: 'The working window containing now, or the next one' })
  windowStart!: Date;

  @Field()
  windowEnd!: Date;

  @Field()
  insideWindow!: boolean;

  @Field(() => Date, { nullable: true })
  cooldownUntil!: Date | null;

  @Field(() => Date, { nullable: true })
  nextSlotAt!: Date | null;

  @Field(() => Int)
  invitesToday!: number;

  @Field(() => Int, { description: 'Warm-up included' })
  inviteCapToday!: number;

  @Field(() => Int)
  messagesToday!: number;

  @Field(() => Int)
  messageCapToday!: number;

  @Field(() => Int)
  invitesThisWeek!: number;

  @Field(() => Int)
  weeklyInviteCap!: number;
}

@ObjectType({ description: "Why a lead's next step has or has not run" })
export class LeadTiming {
  @Field(() => ID)
  leadId!: string;

  @Field(() => String, { nullable: true })
  publicIdentifier!: string | null;

  @Field(() => LeadStatus)
  status!: LeadStatus;

  @Field(() => Int)
  nextStepIndex!: number;

  @Field(() => StepKind, { nullable: true, description: 'null: no next step in its sequence version' })
  nextStepKind!: StepKind | null;

  @Field(() => Date, { nullable: true })
  nextActionAt!: Date | null;

  @Field(() => String, { nullable: true })
  waitingReason!: string | null;

  @Field(() => ID, { nullable: true })
  accountId!: string | null;

  @Field(() => ExecutionState, { nullable: true, description: 'The execution of the next step, when one exists' })
  executionState!: ExecutionState | null;

  @Field(() => Date, { nullable: true })
  executionScheduledFor!: Date | null;

  @Field({ description: 'Nothing holds it back: the next scan picks it up' })
  dueNow!: boolean;

  @Field(() => [String], { description: 'What holds it back now: CAMPAIGN_PAUSED, SCHEDULER_PAUSED, WORKSPACE_PAUSED, NOT_DUE, OUTSIDE_WORKING_HOURS, DAILY_CAP_REACHED …' })
  blockers!: string[];

  @Field({ description: 'The same in words, with times' })
  explanation!: string;
}

@ObjectType()
export class CampaignTiming {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => CampaignStatus)
  campaignStatus!: CampaignStatus;

  @Field({ description: 'Sending is paused for the whole instance (pauseScheduler)' })
  schedulerPaused!: boolean;

  @Field({ description: "Sending is paused for this workspace (pauseWorkspaceSending)" })
  workspacePaused!: boolean;

  @Field({ description: 'The moment the figures were computed' })
  now!: Date;

  @Field(() => [AccountTiming])
  accounts!: AccountTiming[];

  @Field(() => [LeadTiming], { description: 'Active leads, soonest due first' })
  leads!: LeadTiming[];
}

@ObjectType()
export class LeadConversation {
  @Field(() => ID)
  leadId!: string;

  @Field(() => ID, { nullable: true })
  accountId!: string | null;

  @Field({ description: 'The Unipile chat id' })
  chatId!: string;

  @Field(() => String, { nullable: true })
  publicIdentifier!: string | null;

  @Field(() => String, { nullable: true })
  providerId!: string | null;
}

@ObjectType()
export class ManualMessageResult {
  @Field(() => ID)
  leadId!: string;

  @Field(() => String, { nullable: true, description: 'null only if Unipile started a chat without naming it' })
  chatId!: string | null;

  @Field(() => String, { nullable: true })
  messageId!: string | null;

  @Field({ description: 'chat_message (into the existing chat) or new_chat' })
  method!: string;
}

@ArgsType()
export class CampaignIdArgs {
  @Field(() => ID)
  campaignId!: string;
}

@ArgsType()
export class DebugTimingArgs {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => Int, { defaultValue: 100, description: 'Leads to explain, 1 to 1000' })
  @Min(1)
  @Max(1000)
  first!: number;
}

@ArgsType()
export class DebugSendChatArgs {
  @Field(() => ID)
  leadId!: string;

  @Field({ description: '1 to 8000 characters; sent as is, never logged or audited' })
  @MinLength(1)
  @MaxLength(8000)
  text!: string;
}

@ArgsType()
export class AuditLogArgs {
  @Field(() => Int, { defaultValue: 50, description: '1 to 500' })
  @Min(1)
  @Max(500)
  first!: number;

  @Field(() => ID, { nullable: true, description: 'The id of the last entry of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an audit entry id' })
  before?: string | null;
}
