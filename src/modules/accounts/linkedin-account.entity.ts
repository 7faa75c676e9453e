import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Workspace } from '../auth';
import { formatMinuteOfDay } from './working-hours';

export enum AccountStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  DISCONNECTED = 'DISCONNECTED',
  RESTRICTED = 'RESTRICTED',
}
registerEnumType(AccountStatus, {
  name: 'AccountStatus',
  description: 'Only ACTIVE accounts send. DISCONNECTED and RESTRICTED are set from Unipile answers.',
});

export const ACCOUNT_DEFAULTS = {
  dailyInviteCap: 25,
  dailyMessageCap: 100,
  weeklyInviteCap: 100,
  timezone: 'UTC',
  workStartMinute: 9 * 60,
  workEndMinute: 17 * 60,
  // ISO weekdays: 1 = Monday … 7 = Sunday.
  workingDays: [1, 2, 3, 4, 5],
} as const;

/** A LinkedIn sender connected through Unipile, with the limits and hours it sends within. */
@ObjectType('LinkedInAccount')
@Entity({ name: 'linkedin_account' })
export class LinkedInAccount {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Index()
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  // One workspace per Unipile account: webhooks name the account, and must map to one tenant.
  @Field({ description: 'The Unipile account id (from GET /api/v1/accounts)' })
  @Index({ unique: true })
  @Column({ name: 'unipile_account_id', type: 'text' })
  unipileAccountId!: string;

  @Field({ description: "The account owner's own LinkedIn member id, used to tell our messages from replies" })
  @Column({ name: 'owner_provider_id', type: 'text' })
  ownerProviderId!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: 'owner_public_identifier', type: 'text', nullable: true })
  ownerPublicIdentifier!: string | null;

  @Field()
  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Field(() => AccountStatus)
  @Column({ type: 'enum', enum: AccountStatus, enumName: 'account_status', default: AccountStatus.ACTIVE })
  status!: AccountStatus;

  @Field(() => String, { nullable: true, description: 'Why the account is not ACTIVE, when it is not' })
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Field(() => Int)
  @Column({ name: 'daily_invite_cap', type: 'int', default: ACCOUNT_DEFAULTS.dailyInviteCap })
  dailyInviteCap!: number;

  @Field(() => Int)
  @Column({ name: 'daily_message_cap', type: 'int', default: ACCOUNT_DEFAULTS.dailyMessageCap })
  dailyMessageCap!: number;

  @Field(() => Int, { description: 'Invites over any rolling 7 days' })
  @Column({ name: 'weekly_invite_cap', type: 'int', default: ACCOUNT_DEFAULTS.weeklyInviteCap })
  weeklyInviteCap!: number;

  @Field({ description: 'IANA time zone in which working hours and days apply' })
  @Column({ type: 'text', default: ACCOUNT_DEFAULTS.timezone })
  timezone!: string;

  // Minutes after local midnight; exposed as "HH:MM" by workingHoursStart/End.
  @Column({ name: 'work_start_minute', type: 'smallint', default: ACCOUNT_DEFAULTS.workStartMinute })
  workStartMinute!: number;

  @Column({ name: 'work_end_minute', type: 'smallint', default: ACCOUNT_DEFAULTS.workEndMinute })
  workEndMinute!: number;

  @Field(() => [Int], { description: 'ISO weekdays the account works: 1 = Monday … 7 = Sunday' })
  @Column({ name: 'working_days', type: 'smallint', array: true, default: () => `'{1,2,3,4,5}'` })
  workingDays!: number[];

  @Field(() => Int, { nullable: true, description: 'Warm-up: the daily invite cap on the first day of the ramp' })
  @Column({ name: 'ramp_start_cap', type: 'int', nullable: true })
  rampStartCap!: number | null;

  @Field(() => Int, { nullable: true, description: 'Warm-up: added to the cap each day' })
  @Column({ name: 'ramp_daily_increment', type: 'int', nullable: true })
  rampDailyIncrement!: number | null;

  @Field(() => Int, { nullable: true, description: 'Warm-up: the cap the ramp stops at (never above dailyInviteCap)' })
  @Column({ name: 'ramp_target_cap', type: 'int', nullable: true })
  rampTargetCap!: number | null;

  @Field(() => Date, { nullable: true, description: 'First day of the warm-up ramp' })
  @Column({ name: 'ramp_started_at', type: 'timestamptz', nullable: true })
  rampStartedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'No sends before this time (after a rate-limit answer)' })
  @Column({ name: 'cooldown_until', type: 'timestamptz', nullable: true })
  cooldownUntil!: Date | null;

  @Field({ description: 'Start of the working window, local time "HH:MM"' })
  get workingHoursStart(): string {
    return formatMinuteOfDay(this.workStartMinute);
  }

  @Field({ description: 'End of the working window (exclusive), local time "HH:MM"' })
  get workingHoursEnd(): string {
    return formatMinuteOfDay(this.workEndMinute);
  }

  @Field(() => Date, { nullable: true, description: 'When the engine can next send from this account (null: nothing it may send today)' })
  @Column({ name: 'next_slot_at', type: 'timestamptz', nullable: true })
  nextSlotAt!: Date | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
