import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { LinkedInAccount } from '../accounts';
import { Workspace } from '../auth';
import { Campaign } from '../campaigns';
import { LeadStatus } from './lead-status';

/**
 * A person in a campaign, pinned to one sender account. Identity is the LinkedIn public
 * identifier (stored lower-cased) and/or the member (provider) id. Partial unique indexes, created
 * in the migration, allow one lead per person per campaign and one *active* lead per person per
 * workspace, whatever the campaign or sender.
 */
@ObjectType()
@Entity({ name: 'lead' })
@Check('CHK_lead_identity', `public_identifier IS NOT NULL OR provider_id IS NOT NULL`)
@Index('UQ_lead_campaign_public_identifier', { synchronize: false })
@Index('UQ_lead_campaign_provider_id', { synchronize: false })
@Index('UQ_lead_active_public_identifier', { synchronize: false })
@Index('UQ_lead_active_provider_id', { synchronize: false })
@Index('IDX_lead_due', { synchronize: false })
@Index('IDX_lead_due_unaccepted', { synchronize: false })
@Index('IDX_lead_campaign_status', ['campaignId', 'status', 'id'])
export class Lead {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Field(() => ID)
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @Field(() => ID, { nullable: true, description: 'The sender this lead is pinned to (assigned at the latest on activation)' })
  @Index()
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @ManyToOne(() => LinkedInAccount, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'account_id' })
  account?: LinkedInAccount | null;

  @Field(() => String, { nullable: true, description: 'The profile slug of linkedin.com/in/<slug>, lower-cased' })
  @Column({ name: 'public_identifier', type: 'text', nullable: true })
  publicIdentifier!: string | null;

  @Field(() => String, { nullable: true, description: 'The LinkedIn member id (ACoAA…), resolved through Unipile when unknown' })
  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'first_name', type: 'text', nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'last_name', type: 'text', nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  company!: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Custom fields, string values keyed by name' })
  @Column({ name: 'custom_fields', type: 'jsonb', default: () => `'{}'` })
  customFields!: Record<string, string>;

  @Field(() => LeadStatus)
  @Column({ type: 'enum', enum: LeadStatus, enumName: 'lead_status', default: LeadStatus.PENDING_INVITE })
  status!: LeadStatus;

  @Field(() => String, { nullable: true, description: 'Why the lead is in its status (failed, excluded, opted out …)' })
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Field(() => Int, { nullable: true, description: 'The sequence version the lead follows; null until its first step is sent' })
  @Column({ name: 'sequence_version', type: 'int', nullable: true })
  sequenceVersion!: number | null;

  @Field(() => Int, { description: 'Index of the next step to run (= steps done)' })
  @Column({ name: 'next_step_index', type: 'int', default: 0 })
  nextStepIndex!: number;

  @Field(() => Date, { nullable: true, description: 'When the next step is due; null when no step will run' })
  @Column({ name: 'next_action_at', type: 'timestamptz', nullable: true })
  nextActionAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the next step has not run yet (a reason code)' })
  @Column({ name: 'waiting_reason', type: 'text', nullable: true })
  waitingReason!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'last_step_sent_at', type: 'timestamptz', nullable: true })
  lastStepSentAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The Unipile chat id of the conversation with this lead' })
  @Column({ name: 'chat_id', type: 'text', nullable: true })
  chatId!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'invite_sent_at', type: 'timestamptz', nullable: true })
  inviteSentAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'first_outbound_at', type: 'timestamptz', nullable: true })
  firstOutboundAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'first_reply_at', type: 'timestamptz', nullable: true })
  firstReplyAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'The step whose action was the last before the first reply' })
  @Column({ name: 'last_step_before_reply', type: 'int', nullable: true })
  lastStepBeforeReply!: number | null;

  @Field()
  // Millisecond precision, like JavaScript dates, so (created_at, id) cursors are exact.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
