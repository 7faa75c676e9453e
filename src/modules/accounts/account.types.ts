import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { AccountStatus } from './linkedin-account.entity';

@InputType({ description: 'Warm-up ramp: the daily invite cap starts low and grows each day up to the target' })
export class WarmupInput {
  @Field(() => Int)
  @Min(1)
  @Max(200)
  startCap!: number;

  @Field(() => Int)
  @Min(1)
  @Max(100)
  dailyIncrement!: number;

  @Field(() => Int)
  @Min(1)
  @Max(200)
  targetCap!: number;
}

@InputType()
export class AccountSettingsInput {
  @Field({ nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(120)
  displayName?: string;

  @Field(() => Int, { nullable: true, description: 'Invites per day (default 25)' })
  @IsOptional()
  @Min(0)
  @Max(200)
  dailyInviteCap?: number;

  @Field(() => Int, { nullable: true, description: 'Messages per day (default 100)' })
  @IsOptional()
  @Min(0)
  @Max(500)
  dailyMessageCap?: number;

  @Field(() => Int, { nullable: true, description: 'Invites over any rolling 7 days (default 100)' })
  @IsOptional()
  @Min(0)
  @Max(1000)
  weeklyInviteCap?: number;

  @Field({ nullable: true, description: 'IANA zone, e.g. Europe/Paris (default UTC)' })
  @IsOptional()
  timezone?: string;

  @Field({ nullable: true, description: 'Local "HH:MM" (default 09:00)' })
  @IsOptional()
  workingHoursStart?: string;

  @Field({ nullable: true, description: 'Local "HH:MM", exclusive (default 17:00)' })
  @IsOptional()
  workingHoursEnd?: string;

  @Field(() => [Int], { nullable: true, description: 'ISO weekdays 1 = Monday … 7 = Sunday (default 1–5)' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @IsIn([1, 2, 3, 4, 5, 6, 7], { each: true })
  workingDays?: number[];

  @Field(() => WarmupInput, { nullable: true, description: 'Set a warm-up ramp; null removes it' })
  @IsOptional()
  warmup?: WarmupInput | null;
}

@InputType()
export class LinkAccountInput extends AccountSettingsInput {
  @Field({ description: 'The Unipile account id of a connected LinkedIn account' })
  @MinLength(1)
  @MaxLength(200)
  unipileAccountId!: string;
}

@InputType()
export class UpdateAccountInput extends AccountSettingsInput {
  @Field(() => AccountStatus, {
    nullable: true,
    description: 'PAUSED stops sending; ACTIVE resumes (after checking Unipile for a disconnected account)',
  })
  @IsOptional()
  @IsIn([AccountStatus.ACTIVE, AccountStatus.PAUSED], { message: 'status can only be set to ACTIVE or PAUSED' })
  status?: AccountStatus;
}

@ObjectType({ description: 'A LinkedIn account connected in Unipile, and whether this workspace has linked it' })
export class UnipileAccountOption {
  @Field()
  unipileAccountId!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  ownerProviderId!: string | null;

  @Field({ description: 'OK, or the first failing source status (CREDENTIALS, STOPPED …)' })
  connectionStatus!: string;

  @Field({ description: 'Linked in this workspace' })
  linked!: boolean;
}
