import type { Logger } from '../logger';
import type { Viewer } from '../../modules/auth/viewer';
import type { ResolverContainer } from './container';
import type { RequestLoaders } from './loaders';

export type GraphQLContext = {
  viewer?: Viewer;
  requestId: string;
  log: Logger;
  container: ResolverContainer;
  loaders: RequestLoaders;
};
