import { defineModule } from '../module';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsResolver } from './analytics.resolver';
import { AnalyticsService } from './analytics.service';

/** Campaign summary, timeseries, rate usage and reply analytics, over trigger-kept rollups. */
export const analyticsModule = defineModule({
  name: 'analytics',
  resolvers: [AnalyticsResolver],
  create({ dataSource, clock }) {
    const repository = new AnalyticsRepository(dataSource.manager);
    const analytics = new AnalyticsService(repository, clock);
    return { analytics, repository, resolvers: [new AnalyticsResolver(analytics)] };
  },
});
