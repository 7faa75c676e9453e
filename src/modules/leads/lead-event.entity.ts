import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Lead } from './lead.entity';
import { EventSource, LeadEventType } from './lead-event-type';

/** Append-only history of a lead: what happened, when, detected how, and why. */
@ObjectType()
@Entity({ name: 'lead_event' })
@Index('IDX_lead_event_lead', ['leadId', 'occurredAt', 'id'])
export class LeadEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
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

  @Field(() => ID, { nullable: true })
  @Column({ name: 'linkedin_account_id', type: 'uuid', nullable: true })
  linkedinAccountId!: string | null;

  @Field(() => LeadEventType)
  @Column({ type: 'enum', enum: LeadEventType, enumName: 'lead_event_type' })
  type!: LeadEventType;

  @Field(() => Int, { nullable: true })
  @Column({ name: 'step_index', type: 'int', nullable: true })
  stepIndex!: number | null;

  @Field({ description: 'When it happened (UTC)' })
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Field({ description: 'When we learnt of it (UTC)' })
  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;

  @Field(() => EventSource)
  @Column({ type: 'enum', enum: EventSource, enumName: 'event_source' })
  source!: EventSource;

  @Field(() => String, { nullable: true, description: 'A reason code or text: why it was deferred, skipped, failed or exited' })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Field(() => GraphQLJSONObject)
  @Column({ type: 'jsonb', default: () => `'{}'` })
  meta!: Record<string, unknown>;
}
