import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MaxLength } from 'class-validator';
import { CampaignSummary } from '../analytics';
import { LeadEvent } from '../leads';

export enum WebhookSourceEnum {
  MESSAGING = 'messaging',
  USERS = 'users',
  ACCOUNT_STATUS = 'account_status',
}
registerEnumType(WebhookSourceEnum, { name: 'WebhookSource', description: 'The Unipile webhook sources this service receives' });

@ObjectType('UnipileWebhook', { description: 'A webhook registered in Unipile (header values are never shown)' })
export class UnipileWebhookView {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true, description: 'messaging, users, account_status … (inferred when Unipile omits it)' }) source!: string | null;
  @Field() requestUrl!: string;
  @Field() enabled!: boolean;
  @Field(() => [String]) events!: string[];
  @Field(() => [String], { description: 'Empty: every current and future account' }) accountIds!: string[];
  @Field(() => [String], { description: 'Names of the headers Unipile sends with each delivery' }) headerKeys!: string[];
  @Field({ description: 'Registered by this service (points at its routes or carries its name)' }) managed!: boolean;
  @Field(() => [String], { description: 'Why a managed webhook is misconfigured; empty when it is right' }) problems!: string[];
}

@ObjectType()
export class EnsureWebhooksResult {
  @Field(() => [UnipileWebhookView], { description: 'Every webhook of the Unipile tenant afterwards' }) webhooks!: UnipileWebhookView[];
  @Field(() => [ID]) created!: string[];
  @Field(() => [ID]) deleted!: string[];
  @Field(() => [ID]) kept!: string[];
}

@ObjectType({ description: 'A stored webhook event whose processing failed on every attempt' })
export class AbandonedWebhookEvent {
  @Field(() => ID) id!: string;
  @Field({ description: 'messaging, users or account_status' }) source!: string;
  @Field({ description: "Unipile's event name, e.g. message_received" }) event!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed' }) lastError!: string | null;
  @Field(() => Date) receivedAt!: Date;
}

@ObjectType()
export class WebhookIngestStats {
  @Field(() => Date, { nullable: true, description: "Last delivery for one of the workspace's accounts" }) lastReceivedAt!: Date | null;
  @Field(() => Int) receivedLast24h!: number;
  @Field(() => Int, { description: 'Stored but not processed yet (or failing)' }) unprocessed!: number;
  @Field(() => Int, { description: 'Given up after their last failed attempt; retryWebhookEvents processes them again' }) abandoned!: number;
  @Field(() => [AbandonedWebhookEvent], { description: 'The 20 most recent abandoned events, newest first' }) abandonedEvents!: AbandonedWebhookEvent[];
}

@ObjectType({ description: 'A quick check of a campaign and of webhook intake' })
export class WebhookStatus {
  @Field(() => CampaignSummary) campaign!: CampaignSummary;
  @Field(() => [LeadEvent], { description: 'The 10 most recent events of the campaign, newest first' }) recentEvents!: LeadEvent[];
  @Field(() => WebhookIngestStats) webhooks!: WebhookIngestStats;
}

@ArgsType()
export class WebhookStatusArgs {
  @Field(() => ID, { nullable: true }) campaignId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive; default: the most recent active campaign' })
  @MaxLength(200)
  campaignName?: string | null;
}
