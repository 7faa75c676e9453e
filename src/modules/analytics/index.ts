// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { lastDays } from './analytics-time';
export { analyticsModule } from './analytics.module';
export type { AnalyticsRepository } from './analytics.repository';
export type { AnalyticsService } from './analytics.service';
export { CampaignSummary, LeadStatusCounts } from './analytics.types';
