import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The one row every worker reads: whether sending is paused, and how the last scan went. */
@ObjectType()
@Entity({ name: 'scheduler_state' })
export class SchedulerState {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Field({ description: 'While true, no scan schedules work and no step is sent' })
  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  @Field(() => String, { nullable: true })
  @Column({ name: 'paused_reason', type: 'text', nullable: true })
  pausedReason!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'last_scan_at', type: 'timestamptz', nullable: true })
  lastScanAt!: Date | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Totals of the last scan, or its error' })
  @Column({ name: 'last_scan_outcome', type: 'jsonb', nullable: true })
  lastScanOutcome!: Record<string, unknown> | null;
}
