import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth-checker';
import { type AppPubSub, createAppPubSub } from '../pubsub/pubsub';
import type { GraphQLContext } from './context';

/** The schema of these resolver classes; their instances come from each request's container. */
export function buildApiSchema(resolvers: Function[], pubSub: AppPubSub = createAppPubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    pubSub,
    resolvers: resolvers as [Function, ...Function[]],
    validate: { forbidUnknownValues: false },
    authChecker,
    container: ({ context }: { context: GraphQLContext }) => context.container,
  });
}

/** The SDL committed as schema/schema.graphql (sorted, so diffs show real changes only). */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
