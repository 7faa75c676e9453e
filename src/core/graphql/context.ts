import type { Logger } from '../logger';
import type { Viewer } from './viewer';
import type { ResolverContainer } from './container';
import type { RequestLoaders } from './loaders';

export type GraphQLContext = {
  viewer?: Viewer;
  requestId: string;
  /** The caller's address (behind a proxy: only with TRUST_PROXY), for login throttling. */
  clientIp?: string;
  log: Logger;
  container: ResolverContainer;
  loaders: RequestLoaders;
};
