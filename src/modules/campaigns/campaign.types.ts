import { ArrayMaxSize, IsOptional, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../core/graphql/pagination';
import { Campaign, CampaignStatus } from './campaign.entity';
import { StepKind } from './sequence-step.entity';

@InputType()
export class SequenceStepInput {
  @Field(() => StepKind)
  kind!: StepKind;

  @Field(() => Int, { description: 'Minutes after the previous step was sent (after the lead was added, for the first)' })
  delayMinutes!: number;

  @Field(() => String, {
    nullable: true,
    description: 'MESSAGE text or INVITE note, with {{first_name}}, {{last_name}}, {{full_name}}, {{company}}, custom fields, and fallbacks {{first_name|there}}',
  })
  @IsOptional()
  @MaxLength(8000)
  template?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'MESSAGE steps waiting for acceptance: leads not connected this many days after the invite exit (default 21 for the first MESSAGE after an INVITE)',
  })
  acceptTimeoutDays?: number | null;
}

@InputType()
export class CreateCampaignInput {
  @Field()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Sender accounts; leads are spread over them and pinned to one' })
  @IsOptional()
  @ArrayMaxSize(50)
  senderAccountIds?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Custom lead fields templates may use (CSV imports add their extra columns)' })
  @IsOptional()
  @ArrayMaxSize(50)
  customFields?: string[] | null;

  @Field(() => [SequenceStepInput], { nullable: true, description: 'Default: invite, then messages 3, 6 and 9 days after the previous step' })
  @IsOptional()
  @ValidateNested({ each: true })
  steps?: SequenceStepInput[] | null;
}

@InputType()
export class UpdateCampaignInput {
  @Field({ nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the senders; a sender with started leads cannot be removed' })
  @IsOptional()
  @ArrayMaxSize(50)
  senderAccountIds?: string[];

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  customFields?: string[];
}

@ArgsType()
export class CampaignsArgs extends PageArgs {
  @Field(() => CampaignStatus, { nullable: true })
  status?: CampaignStatus | null;
}

@ObjectType()
export class CampaignConnection extends Connection(Campaign) {}
