import { LiveEventFeed } from '../../core/pubsub/live-event-feed';
import { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import { analyticsModule } from '../analytics';
import { authModule } from '../auth';
import { defineModule } from '../module';
import { LiveResolver } from './live.resolver';
import { LiveService } from './live.service';

/**
 * Live updates for subscriptions, in API processes: the feed of committed live events (NOTIFY
 * wake-ups on a real Postgres, polling on the embedded one), which also carries session
 * revocations of every instance to this one's WebSockets.
 */
export const liveModule = defineModule({
  name: 'live',
  resolvers: [LiveResolver],
  async create(ctx) {
    if (!ctx.api) return {};
    const events = new LiveEventRepository(ctx.dataSource.manager);
    const feed = new LiveEventFeed(events, { url: ctx.databaseUrl, notifications: !ctx.embeddedDatabase, pollMs: 250, log: ctx.log });
    ctx.use(authModule).sessions.listen(feed);
    await feed.start();
    ctx.onStop(() => feed.stop());
    const live = new LiveService(events, feed, ctx.use(analyticsModule).analytics);
    // The service too: subscriptions resolve it from the request's container.
    return { resolvers: [live, new LiveResolver(live)] };
  },
});
