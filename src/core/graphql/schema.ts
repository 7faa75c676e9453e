import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from '../../modules/accounts/account.resolver';
import { AdminResolver } from '../../modules/admin/admin.resolver';
import { AnalyticsResolver } from '../../modules/analytics/analytics.resolver';
import { AuthResolver } from '../../modules/auth/auth.resolver';
import { CampaignResolver } from '../../modules/campaigns/campaign.resolver';
import { DoNotContactResolver } from '../../modules/leads/do-not-contact.resolver';
import { LeadResolver } from '../../modules/leads/lead.resolver';
import { LiveResolver } from '../../modules/live/live.resolver';
import { NotificationResolver } from '../../modules/notifications/notification.resolver';
import { SchedulerResolver } from '../../modules/outreach/scheduler.resolver';
import { SimulationResolver } from '../../modules/outreach/simulation/simulation.resolver';
import { HeartbeatResolver } from '../../modules/system/heartbeat.resolver';
import { SyncResolver } from '../../modules/sync/sync.resolver';
import { WebhookResolver } from '../../modules/webhooks/webhook.resolver';
import { authChecker } from './auth-checker';
import { type AppPubSub, createAppPubSub } from '../pubsub/pubsub';
import type { GraphQLContext } from './context';

// Every resolver class of the API; app.ts registers one instance of each in the container.
export const RESOLVERS = [
  AuthResolver,
  HeartbeatResolver,
  AccountResolver,
  CampaignResolver,
  LeadResolver,
  DoNotContactResolver,
  SchedulerResolver,
  SimulationResolver,
  LiveResolver,
  AnalyticsResolver,
  WebhookResolver,
  SyncResolver,
  NotificationResolver,
  AdminResolver,
] as const;

export function buildApiSchema(pubSub: AppPubSub = createAppPubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    pubSub,
    resolvers: RESOLVERS,
    validate: { forbidUnknownValues: false },
    authChecker,
    container: ({ context }: { context: GraphQLContext }) => context.container,
  });
}

/** The SDL committed as schema/schema.graphql (sorted, so diffs show real changes only). */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
