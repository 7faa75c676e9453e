import type { Clock } from '../../core/clock';
import { InputError, NotFoundError } from '../../core/errors';
import type { AnalyticsService } from '../analytics';
import type { Viewer } from '../../core/graphql/viewer';
import type { Campaign } from '../campaigns';
import type { WebhookQueue } from './webhook-ingest.service';
import { MAX_PROCESSING_ATTEMPTS } from './webhook-processor.service';
import type { WebhookStatusRepository } from './webhook-status.repository';
import type { WebhookIngestStats, WebhookStatus, WebhookStatusArgs } from './webhook.types';

const DAY_MS = 86_400_000;
const MAX_RETRY_IDS = 1_000;

/** The seed's `/api/webhooks/status` snapshot: a campaign's totals (from analytics) and its latest events. */
export class WebhookStatusService {
  constructor(
    private readonly repository: WebhookStatusRepository,
    private readonly analytics: AnalyticsService,
    private readonly clock: Clock,
    private readonly queue: WebhookQueue,
  ) {}

  async status(viewer: Viewer, args: WebhookStatusArgs): Promise<WebhookStatus> {
    const campaign = await this.campaign(viewer, args);
    const [summary, recentEvents, webhooks] = await Promise.all([
      this.analytics.campaignSummary(viewer, { campaignId: campaign.id, replyWindowDays: 7 }),
      this.repository.recentEvents(campaign.id, 10),
      this.ingestStats(viewer.workspaceId),
    ]);
    return { campaign: summary, recentEvents, webhooks };
  }

  /** By id, else by name (ignoring case), else the most recently created active campaign. */
  private async campaign(viewer: Viewer, args: WebhookStatusArgs): Promise<Campaign> {
    if (args.campaignId) {
      const byId = await this.repository.findCampaign(viewer.workspaceId, args.campaignId);
      if (!byId) throw new NotFoundError('Campaign', args.campaignId);
      return byId;
    }
    const found = args.campaignName
      ? await this.repository.findCampaignByName(viewer.workspaceId, args.campaignName)
      : await this.repository.latestActiveCampaign(viewer.workspaceId);
    if (!found) throw new NotFoundError(args.campaignName ? `Campaign named "${args.campaignName}"` : 'Active campaign');
    return found;
  }

  private async ingestStats(workspaceId: string): Promise<WebhookIngestStats> {
    const [row, abandonedEvents] = await Promise.all([
      this.repository.ingestCounts(workspaceId, new Date(this.clock.now().getTime() - DAY_MS), MAX_PROCESSING_ATTEMPTS),
      this.repository.abandonedEvents(workspaceId, MAX_PROCESSING_ATTEMPTS),
    ]);
    return {
      lastReceivedAt: row?.lastReceivedAt ?? null,
      receivedLast24h: row?.receivedSince ?? 0,
      unprocessed: row?.unprocessed ?? 0,
      abandoned: row?.abandoned ?? 0,
      abandonedEvents,
    };
  }

  /**
   * Gives abandoned events of the workspace's accounts (all of them, or those named) a fresh set of
   * attempts and hands them to processing. Returns the ids taken.
   */
  async retryAbandoned(viewer: Viewer, ids: string[] | null | undefined): Promise<string[]> {
    if (ids && (ids.length > MAX_RETRY_IDS || ids.some((id) => !/^[1-9]\d{0,17}$/.test(id)))) {
      throw new InputError(`ids must be at most ${MAX_RETRY_IDS} webhook event ids`, { field: 'ids' });
    }
    const taken = await this.repository.resetAbandoned(viewer.workspaceId, MAX_PROCESSING_ATTEMPTS, ids ?? null);
    for (const id of taken) await this.queue.enqueue(id);
    return taken;
  }
}
