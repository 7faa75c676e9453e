import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class StatusCount {
  @Field()
  status!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'One event the dry run produced' })
export class SimulatedEvent {
  @Field()
  at!: Date;

  @Field(() => String, { nullable: true })
  publicIdentifier!: string | null;

  @Field(() => String, { nullable: true })
  providerId!: string | null;

  @Field({ description: 'A lead event type (connection_request_sent, message_sent, step_deferred …)' })
  type!: string;

  @Field(() => Int, { nullable: true })
  stepIndex!: number | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType({ description: 'What a campaign would do over N days: totals and the timeline, from a dry run' })
export class SimulationResult {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => Int)
  days!: number;

  @Field()
  startedAt!: Date;

  @Field()
  endedAt!: Date;

  @Field(() => Int, { description: 'Active leads simulated (at most 5,000)' })
  leads!: number;

  @Field(() => Int)
  invitesSent!: number;

  @Field(() => Int)
  acceptances!: number;

  @Field(() => Int)
  messagesSent!: number;

  @Field(() => Int)
  replies!: number;

  @Field(() => [StatusCount])
  leadsByStatus!: StatusCount[];

  @Field({ description: 'True when the timeline was cut at 10,000 events' })
  truncated!: boolean;

  @Field(() => [SimulatedEvent])
  timeline!: SimulatedEvent[];
}
