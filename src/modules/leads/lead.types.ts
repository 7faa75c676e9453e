import { IsOptional, MaxLength } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, PageArgs } from '../../core/graphql/pagination';
import { DoNotContact } from './do-not-contact.entity';
import { LeadEvent } from './lead-event.entity';
import { LeadStatus } from './lead-status';
import { Lead } from './lead.entity';

@InputType({ description: 'A person to add: a public identifier (or profile URL) and/or a member id' })
export class LeadInput {
  @Field(() => String, { nullable: true, description: 'The slug of linkedin.com/in/<slug>, or the whole profile URL' })
  publicIdentifier?: string | null;

  @Field(() => String, { nullable: true, description: 'The LinkedIn member id (ACoAA…)' })
  providerId?: string | null;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Custom fields: names as in templates, string values' })
  customFields?: Record<string, unknown> | null;
}

export enum ImportOutcome {
  CREATED = 'CREATED',
  DUPLICATE = 'DUPLICATE',
  EXCLUDED = 'EXCLUDED',
  INVALID = 'INVALID',
}
registerEnumType(ImportOutcome, {
  name: 'ImportOutcome',
  description: 'DUPLICATE: already in this campaign or active in another; EXCLUDED: on the do-not-contact list',
});

@ObjectType()
export class ImportRowResult {
  @Field(() => Int, { description: '1-based: the position in the list, or the CSV line number' })
  row!: number;

  @Field(() => ImportOutcome)
  outcome!: ImportOutcome;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The new lead, when created' })
  leadId!: string | null;
}

@ObjectType()
export class ImportLeadsResult {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  duplicates!: number;

  @Field(() => Int)
  excluded!: number;

  @Field(() => Int)
  invalid!: number;

  @Field(() => [ImportRowResult])
  rows!: ImportRowResult[];
}

@ArgsType()
export class LeadsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  campaignId?: string | null;

  @Field(() => LeadStatus, { nullable: true })
  status?: LeadStatus | null;

  @Field(() => String, { nullable: true, description: 'Matches name, company or public identifier' })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
}

@ObjectType()
export class LeadConnection extends Connection(Lead) {}

@ObjectType({ description: "A lead's history: every event and status change in order, each with its reason" })
export class LeadTimeline {
  @Field(() => Lead)
  lead!: Lead;

  @Field(() => [LeadEvent])
  events!: LeadEvent[];
}

@InputType()
export class DoNotContactInput {
  @Field(() => String, { nullable: true, description: 'Public identifier or profile URL' })
  publicIdentifier?: string | null;

  @Field(() => String, { nullable: true })
  providerId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;
}

@ObjectType()
export class DoNotContactConnection extends Connection(DoNotContact) {}
