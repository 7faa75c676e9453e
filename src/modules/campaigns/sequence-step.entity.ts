import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { INVITATION_NOTE_MAX_LENGTH } from '../../core/linkedin-limits';
import { Campaign } from './campaign.entity';

export enum StepKind {
  INVITE = 'INVITE',
  MESSAGE = 'MESSAGE',
}
registerEnumType(StepKind, {
  name: 'StepKind',
  description: 'INVITE sends a connection request (optional note); MESSAGE writes to a connected lead',
});

/** One step of one version of a campaign's sequence. Versions are immutable once written. */
@ObjectType()
@Entity({ name: 'sequence_step' })
@Index('UQ_sequence_step_version_index', ['campaignId', 'version', 'stepIndex'], { unique: true })
export class SequenceStep {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @Field(() => Int)
  @Column({ type: 'int' })
  version!: number;

  @Field(() => Int, { description: '0-based position in the sequence' })
  @Column({ name: 'step_index', type: 'int' })
  stepIndex!: number;

  @Field(() => StepKind)
  @Column({ type: 'enum', enum: StepKind, enumName: 'step_kind' })
  kind!: StepKind;

  @Field(() => Int, { description: 'Minutes after the previous step was sent (after the lead was added, for the first)' })
  @Column({ name: 'delay_minutes', type: 'int' })
  delayMinutes!: number;

  @Field(() => String, { nullable: true, description: `Message text, or the invite note (≤ ${INVITATION_NOTE_MAX_LENGTH} characters rendered)` })
  @Column({ type: 'text', nullable: true })
  template!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'MESSAGE steps: a lead whose invite is not accepted this many days after it was sent exits',
  })
  @Column({ name: 'accept_timeout_days', type: 'int', nullable: true })
  acceptTimeoutDays!: number | null;
}
