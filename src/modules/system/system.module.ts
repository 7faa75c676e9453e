import { defineModule } from '../module';
import { HeartbeatResolver } from './heartbeat.resolver';

/** The heartbeat subscription: a subscription channel checked end to end. */
export const systemModule = defineModule({
  name: 'system',
  resolvers: [HeartbeatResolver],
  create: () => ({ resolvers: [new HeartbeatResolver()] }),
});
