import { ArrayMaxSize, ArrayMinSize, IsEmail, IsOptional, IsUrl, MaxLength, MinLength } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs, PageInfo } from '../../core/graphql/pagination';
import { NotificationChannelKind, NotificationDeliveryStatus, NotificationEventType } from './notification-kinds';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

@ObjectType({ description: 'Switches for the whole deployment (environment variables); read-only' })
export class NotificationEnvironment {
  @Field({ description: 'NOTIFY_EMAIL_ENABLED, and SMTP_URL is set' })
  emailEnabled!: boolean;

  @Field({ description: 'NOTIFY_SLACK_ENABLED' })
  slackEnabled!: boolean;

  @Field({ description: 'NOTIFY_WEBHOOKS_ENABLED' })
  webhooksEnabled!: boolean;

  @Field({ description: 'Whether SMTP_URL is set (its value is never shown)' })
  smtpConfigured!: boolean;
}

@ObjectType('NotificationSettings', { description: "The workspace's switches per channel kind; a kind sends only when both the workspace and the environment allow it" })
export class NotificationSettingsView {
  @Field()
  emailEnabled!: boolean;

  @Field()
  slackEnabled!: boolean;

  @Field()
  webhooksEnabled!: boolean;

  @Field(() => NotificationEnvironment)
  environment!: NotificationEnvironment;
}

@InputType()
export class NotificationSettingsInput {
  @Field({ nullable: true })
  emailEnabled?: boolean;

  @Field({ nullable: true })
  slackEnabled?: boolean;

  @Field({ nullable: true })
  webhooksEnabled?: boolean;
}

@ObjectType('NotificationRule', { description: 'Sends one event type, of one campaign or of all, to a channel' })
export class NotificationRuleView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  channelId!: string;

  @Field(() => NotificationEventType)
  eventType!: NotificationEventType;

  @Field(() => ID, { nullable: true, description: 'Null: every campaign (and events without one, such as account events)' })
  campaignId!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('NotificationChannel', { description: 'A destination. Secrets (the Slack URL, the signing secret) are never returned, only a masked hint' })
export class NotificationChannelView {
  @Field(() => ID)
  id!: string;

  @Field(() => NotificationChannelKind)
  kind!: NotificationChannelKind;

  @Field()
  name!: string;

  @Field(() => [String], { description: 'EMAIL: the recipients' })
  recipients!: string[];

  @Field(() => String, { nullable: true, description: 'WEBHOOK: the endpoint, without credentials or query string' })
  url!: string | null;

  @Field(() => String, { nullable: true, description: 'SLACK: the webhook URL masked; WEBHOOK: the signing secret masked' })
  secretHint!: string | null;

  @Field(() => [NotificationRuleView])
  rules!: NotificationRuleView[];

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class CreatedNotificationChannel {
  @Field(() => NotificationChannelView)
  channel!: NotificationChannelView;

  @Field(() => String, {
    nullable: true,
    description: 'WEBHOOK: the signing secret, returned this once (store it with the receiver); null for other kinds',
  })
  signingSecret!: string | null;
}

@InputType()
export class CreateNotificationChannelInput {
  @Field(() => NotificationChannelKind)
  kind!: NotificationChannelKind;

  @Field()
  @MinLength(1)
  @MaxLength(120)
  name!: string;

  @Field(() => [String], { nullable: true, description: 'EMAIL: 1 to 50 addresses' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  recipients?: string[];

  @Field({ nullable: true, description: 'SLACK: the incoming-webhook URL (https://hooks.slack.com/services/…, or an origin of NOTIFY_SLACK_WEBHOOK_ORIGINS)' })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  slackWebhookUrl?: string;

  @Field({
    nullable: true,
    description: 'WEBHOOK: the URL that receives signed POSTs; a public address (FORBIDDEN_DESTINATION otherwise, unless NOTIFY_ALLOW_PRIVATE_NETWORKS)',
  })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  webhookUrl?: string;

  @Field({ nullable: true, description: 'WEBHOOK: your own signing secret (32+ characters); omitted, one is generated' })
  @IsOptional()
  @MinLength(32)
  @MaxLength(200)
  signingSecret?: string;
}

@InputType({ description: 'Only the fields given change; the kind cannot' })
export class UpdateNotificationChannelInput {
  @Field({ nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  recipients?: string[];

  @Field({ nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  slackWebhookUrl?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  webhookUrl?: string;

  @Field({ nullable: true, description: 'WEBHOOK: replace the signing secret (32+ characters)' })
  @IsOptional()
  @MinLength(32)
  @MaxLength(200)
  signingSecret?: string;
}

@InputType()
export class NotificationRuleInput {
  @Field(() => ID)
  channelId!: string;

  @Field(() => NotificationEventType)
  eventType!: NotificationEventType;

  @Field(() => ID, { nullable: true, description: 'Only this campaign; omitted: every campaign' })
  @IsOptional()
  campaignId?: string;
}

@ObjectType('NotificationAttempt', { description: 'One try of a delivery' })
export class NotificationAttemptView {
  @Field(() => Int)
  attempt!: number;

  @Field()
  startedAt!: Date;

  @Field()
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: 'HTTP status, or the SMTP reply code' })
  responseCode!: number | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true, description: 'A short status line (HTTP 500, timed out after 10000 ms, refused: …); never the remote body' })
  error!: string | null;
}

@ObjectType('NotificationDelivery', { description: 'One event to one channel, with every attempt' })
export class NotificationDeliveryView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The live event (also the `id` in webhook bodies)' })
  liveEventId!: string;

  @Field(() => NotificationEventType)
  eventType!: NotificationEventType;

  @Field(() => ID)
  channelId!: string;

  @Field(() => NotificationChannelKind)
  channelKind!: NotificationChannelKind;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field(() => NotificationDeliveryStatus)
  status!: NotificationDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => Int, { nullable: true })
  lastLatencyMs!: number | null;

  @Field(() => String, { nullable: true, description: 'The last attempt\'s status line (as in attemptLog), or CHANNEL_DISABLED / CHANNEL_DELETED' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'RETRYING: when the next attempt is due' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  @Field(() => GraphQLJSONObject, { description: 'What is sent (the webhook `data`)' })
  content!: Record<string, unknown>;

  @Field(() => [NotificationAttemptView])
  attemptLog!: NotificationAttemptView[];

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType('NotificationDeliveryConnection', { description: 'Newest first' })
export class NotificationDeliveryConnection {
  @Field(() => [NotificationDeliveryView])
  nodes!: NotificationDeliveryView[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ArgsType()
export class NotificationDeliveriesArgs extends PageArgs {
  @Field(() => NotificationDeliveryStatus, { nullable: true })
  status?: NotificationDeliveryStatus | null;

  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => NotificationEventType, { nullable: true })
  eventType?: NotificationEventType | null;
}
