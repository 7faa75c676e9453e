import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { StepKind } from '../campaigns';
import { Lead } from '../leads';

/**
 * scheduled → sending → sent | failed | skipped, and retrying after an answer that leaves the
 * outcome unknown (timeout, 5xx). `sending` and `retrying` are reconciled with Unipile before any
 * new attempt, so a send is never repeated blindly.
 */
export enum ExecutionState {
  SCHEDULED = 'scheduled',
  SENDING = 'sending',
  RETRYING = 'retrying',
  SENT = 'sent',
  FAILED = 'failed',
  SKIPPED = 'skipped',
}
registerEnumType(ExecutionState, { name: 'ExecutionState' });

/** One (lead, sequence version, step): created once, however many scanners see the lead due. */
@ObjectType()
@Entity({ name: 'step_execution' })
@Index('UQ_step_execution_lead_step', ['leadId', 'sequenceVersion', 'stepIndex'], { unique: true })
@Index('IDX_step_execution_account_state', ['accountId', 'state', 'scheduledFor'])
@Index('IDX_step_execution_open', { synchronize: false })
export class StepExecution {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Field(() => ID)
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Field(() => ID)
  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  @ManyToOne(() => Lead, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lead_id' })
  lead?: Lead;

  @Field(() => ID)
  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Field(() => Int)
  @Column({ name: 'sequence_version', type: 'int' })
  sequenceVersion!: number;

  @Field(() => Int)
  @Column({ name: 'step_index', type: 'int' })
  stepIndex!: number;

  @Field(() => StepKind)
  @Column({ type: 'enum', enum: StepKind, enumName: 'step_kind' })
  kind!: StepKind;

  @Field(() => ExecutionState)
  @Column({ type: 'enum', enum: ExecutionState, enumName: 'execution_state', default: ExecutionState.SCHEDULED })
  state!: ExecutionState;

  @Field()
  @Column({ name: 'scheduled_for', type: 'timestamptz' })
  scheduledFor!: Date;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Field(() => String, { nullable: true })
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Field(() => String, { nullable: true, description: 'Unipile invitation or message id' })
  @Column({ name: 'unipile_ref', type: 'text', nullable: true })
  unipileRef!: string | null;

  /** The rate-ledger day holding this execution's slot, while it holds one. */
  @Column({ name: 'ledger_day', type: 'date', nullable: true })
  ledgerDay!: string | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'sending_started_at', type: 'timestamptz', nullable: true })
  sendingStartedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
