import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AccountStatus } from '../accounts';

@ObjectType()
export class JobCounts {
  @Field()
  name!: string;

  @Field(() => Int)
  queued!: number;

  @Field(() => Int)
  scheduled!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Int)
  failed!: number;
}

@ObjectType({ description: 'A job that failed, with its last error' })
export class JobFailure {
  @Field()
  name!: string;

  @Field(() => Date, { nullable: true })
  failedAt!: Date | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Int)
  failCount!: number;

  @Field(() => GraphQLJSONObject, { nullable: true })
  data!: Record<string, unknown> | null;
}

@ObjectType({ description: 'When a sender account can send next, and what holds it back' })
export class AccountSlot {
  @Field(() => ID)
  accountId!: string;

  @Field()
  displayName!: string;

  @Field(() => AccountStatus)
  status!: AccountStatus;

  @Field(() => Date, { nullable: true })
  nextSlotAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cooldownUntil!: Date | null;
}

@ObjectType({ description: "The engine as the caller may see it: the instance for an operator, otherwise the caller's workspace" })
export class SchedulerStatus {
  @Field({ description: 'Sending is paused for the whole instance by an operator (pauseScheduler)' })
  paused!: boolean;

  @Field(() => String, { nullable: true })
  pausedReason!: string | null;

  @Field({ description: "Sending of the caller's workspace is paused by its admin (pauseWorkspaceSending)" })
  workspacePaused!: boolean;

  @Field(() => String, { nullable: true })
  workspacePausedReason!: string | null;

  @Field({ description: 'all, api or worker: what the process answering runs' })
  role!: string;

  @Field({ description: 'True when the process answering runs jobs' })
  workerRunning!: boolean;

  @Field({ description: 'postgres or mongodb' })
  jobStore!: string;

  @Field(() => Date, { nullable: true })
  lastScanAt!: Date | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "The last scan's totals over every workspace, or its error; operators only (null otherwise)" })
  lastScanOutcome!: Record<string, unknown> | null;

  @Field(() => [JobCounts], {
    description: "Jobs per name: every job for an operator; otherwise the jobs carrying the workspace's work (step executions, sync runs, sender reconciliations, notification deliveries)",
  })
  jobs!: JobCounts[];

  @Field(() => [JobFailure], {
    description: "The most recent failed jobs (up to 20) of those in `jobs`; empty unless the caller is an admin",
  })
  failures!: JobFailure[];

  @Field(() => [AccountSlot], { description: "The workspace's sender accounts" })
  accounts!: AccountSlot[];
}
