import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Workspace } from '../auth';

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'DRAFT → ACTIVE ⇄ PAUSED → COMPLETED → ARCHIVED (DRAFT and PAUSED may also be archived)',
});

@ObjectType()
@Entity({ name: 'campaign' })
// Names are unique per workspace, ignoring case.
@Index('UQ_campaign_workspace_name', { synchronize: false })
export class Campaign {
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

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Field(() => CampaignStatus)
  @Column({ type: 'enum', enum: CampaignStatus, enumName: 'campaign_status', default: CampaignStatus.DRAFT })
  status!: CampaignStatus;

  @Field(() => [String], { description: 'Lead custom fields that message templates may use as {{name}}' })
  @Column({ name: 'custom_fields', type: 'text', array: true, default: () => `'{}'` })
  customFields!: string[];

  @Field(() => Int, { description: 'The current sequence version; leads that have not started follow it' })
  @Column({ name: 'sequence_version', type: 'int', default: 0 })
  sequenceVersion!: number;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  @Field()
  // Millisecond precision, like JavaScript dates, so (created_at, id) cursors are exact.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
