import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import type { AnalyticsService } from '../analytics/analytics.service';
import type { Viewer } from '../auth/viewer';
import { Campaign, CampaignStatus } from '../campaigns/campaign.entity';
import { LeadEvent } from '../leads/lead-event.entity';
import type { WebhookIngestStats, WebhookStatus, WebhookStatusArgs } from './webhook.types';

const DAY_MS = 86_400_000;

/** The seed's `/api/webhooks/status` snapshot: a campaign's totals (from analytics) and its latest events. */
export class WebhookStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analytics: AnalyticsService,
    private readonly clock: Clock,
  ) {}

  async status(viewer: Viewer, args: WebhookStatusArgs): Promise<WebhookStatus> {
    const campaign = await this.campaign(viewer, args);
    const [summary, recentEvents, webhooks] = await Promise.all([
      this.analytics.campaignSummary(viewer, { campaignId: campaign.id, replyWindowDays: 7 }),
      // Newest first by id: the primary key index, read backwards.
      this.dataSource.getRepository(LeadEvent).find({ where: { campaignId: campaign.id }, order: { id: 'DESC' }, take: 10 }),
      this.ingestStats(viewer.workspaceId),
    ]);
    return { campaign: summary, recentEvents, webhooks };
  }

  /** By id, else by name (ignoring case), else the most recently created active campaign. */
  private async campaign(viewer: Viewer, args: WebhookStatusArgs): Promise<Campaign> {
    const repo = this.dataSource.getRepository(Campaign);
    if (args.campaignId) {
      const byId = await repo.findOne({ where: { id: args.campaignId, workspaceId: viewer.workspaceId } });
      if (!byId) throw new NotFoundError('Campaign', args.campaignId);
      return byId;
    }
    const qb = repo.createQueryBuilder('c').where('c.workspace_id = :ws', { ws: viewer.workspaceId });
    const found = args.campaignName
      ? await qb.andWhere('lower(c.name) = lower(:name)', { name: args.campaignName }).getOne()
      : await qb.andWhere('c.status = :active', { active: CampaignStatus.ACTIVE }).orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').getOne();
    if (!found) throw new NotFoundError(args.campaignName ? `Campaign named "${args.campaignName}"` : 'Active campaign');
    return found;
  }

  private async ingestStats(workspaceId: string): Promise<WebhookIngestStats> {
    // Each count uses an index: (unipile_account_id, received_at), and the partial one on unprocessed events.
    const [row]: Array<{ last: Date | null; recent: number; unprocessed: number }> = await this.dataSource.query(
      `WITH accounts AS (SELECT coalesce(array_agg(unipile_account_id), '{}') AS ids FROM linkedin_account WHERE workspace_id = $1)
       SELECT (SELECT max(e.received_at) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids)) AS last,
              (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.received_at >= $2)::int AS recent,
              (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL)::int AS unprocessed
       FROM accounts`,
      [workspaceId, new Date(this.clock.now().getTime() - DAY_MS)],
    );
    return { lastReceivedAt: row?.last ?? null, receivedLast24h: row?.recent ?? 0, unprocessed: row?.unprocessed ?? 0 };
  }
}
