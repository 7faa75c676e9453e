import { createPubSub } from '@graphql-yoga/subscription';

// Topics and payloads published to GraphQL subscriptions. In-process for now: one process serves
// the API and runs the jobs (embedded default).
export type Topics = Record<string, [unknown]>;

export const createAppPubSub = () => createPubSub<Topics>();
export type AppPubSub = ReturnType<typeof createAppPubSub>;
