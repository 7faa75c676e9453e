import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../core/db/data-source';
import { buildApiSchema } from '../core/graphql/schema';
import type { AppPubSub } from '../core/pubsub/pubsub';
import { accountsModule } from './accounts';
import { adminModule } from './admin';
import { analyticsModule } from './analytics';
import { authModule } from './auth';
import { campaignsModule } from './campaigns';
import { leadsModule } from './leads';
import { liveModule } from './live';
import type { ModuleDefinition } from './module';
import { notificationsModule } from './notifications';
import { outreachModule } from './outreach';
import { syncModule } from './sync';
import { systemModule } from './system';
import { unipileModule } from './unipile';
import { webhooksModule } from './webhooks';

/**
 * Every feature, in the order they are built (a module uses only those before it). Adding a
 * feature is adding its folder and one line here: the app, the schema, the entities and the jobs
 * all derive from this list.
 */
export const MODULES: ModuleDefinition[] = [
  unipileModule,
  authModule,
  systemModule,
  accountsModule,
  campaignsModule,
  leadsModule,
  analyticsModule,
  notificationsModule,
  outreachModule,
  webhooksModule,
  syncModule,
  liveModule,
  adminModule,
];

/** Every TypeORM entity (for the app, the CLI, tests and simulations). */
export const ENTITIES: Function[] = MODULES.flatMap((m) => m.entities ?? []);

/** Every resolver class: the GraphQL schema. */
export const RESOLVERS: Function[] = MODULES.flatMap((m) => m.resolvers ?? []);

/** A data source over every feature's entities (the app's, the CLI's, tests' and simulations'). */
export const createAppDataSource = (url: string, opts: { poolSize?: number } = {}): DataSource => createDataSource(url, { entities: ENTITIES, ...opts });

/** The API's GraphQL schema, from every feature's resolvers. */
export const buildAppSchema = (pubSub?: AppPubSub): Promise<GraphQLSchema> => buildApiSchema(RESOLVERS, pubSub);
