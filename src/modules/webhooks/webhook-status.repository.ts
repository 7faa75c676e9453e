import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { updateReturning } from '../../core/db/update-returning';
import { Campaign, CampaignStatus } from '../campaigns';
import { LeadEvent } from '../leads';
import type { WebhookSource } from './webhook-event.entity';

/** The Unipile account ids of a workspace's senders (webhook events name accounts, not workspaces). */
const WORKSPACE_ACCOUNTS = `SELECT coalesce(array_agg(unipile_account_id), '{}') AS ids FROM linkedin_account WHERE workspace_id = $1`;

export type IngestCounts = { lastReceivedAt: Date | null; receivedSince: number; unprocessed: number; abandoned: number };

/** A stored event given up after its last attempt. */
export type AbandonedEventRow = { id: string; source: WebhookSource; event: string; attempts: number; lastError: string | null; receivedAt: Date };
const toAbandoned = (r: AbandonedEventRow): AbandonedEventRow => ({
  id: r.id,
  source: r.source,
  event: r.event,
  attempts: r.attempts,
  lastError: r.lastError,
  receivedAt: r.receivedAt,
});

const countsSchema = z.object({ last: z.date().nullable(), recent: z.number().int(), unprocessed: z.number().int(), abandoned: z.number().int() });

/**
 * What the webhook status snapshot and the retry of abandoned events read and write: webhook_event
 * of a workspace's accounts, and (tables of other features) its campaigns and their latest events.
 */
export class WebhookStatusRepository {
  constructor(private readonly db: EntityManager) {}

  findCampaign(workspaceId: string, campaignId: string): Promise<Campaign | null> {
    return this.db.getRepository(Campaign).findOne({ where: { id: campaignId, workspaceId } });
  }

  /** By name, ignoring case. */
  findCampaignByName(workspaceId: string, name: string): Promise<Campaign | null> {
    return this.campaigns(workspaceId).andWhere('lower(c.name) = lower(:name)', { name }).getOne();
  }

  /** The most recently created ACTIVE campaign. */
  latestActiveCampaign(workspaceId: string): Promise<Campaign | null> {
    return this.campaigns(workspaceId)
      .andWhere('c.status = :active', { active: CampaignStatus.ACTIVE })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .getOne();
  }

  /** Newest first by id: the primary key index, read backwards. */
  recentEvents(campaignId: string, limit: number): Promise<LeadEvent[]> {
    return this.db.getRepository(LeadEvent).find({ where: { campaignId }, order: { id: 'DESC' }, take: limit });
  }

  /**
   * Over the workspace's accounts: the last delivery, deliveries since `since`, events not
   * processed, and those given up after `maxAttempts`. Each count uses an index:
   * (unipile_account_id, received_at), and the partial one on unprocessed events.
   */
  async ingestCounts(workspaceId: string, since: Date, maxAttempts: number): Promise<IngestCounts | undefined> {
    const rows = await this.db.query<unknown[]>(
      `WITH accounts AS (${WORKSPACE_ACCOUNTS})
         SELECT (SELECT max(e.received_at) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids)) AS last,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.received_at >= $2)::int AS recent,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL)::int AS unprocessed,
                (SELECT count(*) FROM webhook_event e WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $3)::int AS abandoned
         FROM accounts`,
      [workspaceId, since, maxAttempts],
    );
    if (rows.length === 0) return undefined;
    const row = countsSchema.parse(rows[0]);
    return { lastReceivedAt: row.last, receivedSince: row.recent, unprocessed: row.unprocessed, abandoned: row.abandoned };
  }

  /** The 20 most recent events of the workspace's accounts given up after `maxAttempts`, newest first. */
  async abandonedEvents(workspaceId: string, maxAttempts: number): Promise<AbandonedEventRow[]> {
    const rows = await this.db.query<AbandonedEventRow[]>(
      `WITH accounts AS (${WORKSPACE_ACCOUNTS})
         SELECT e.id::text AS id, e.source, e.event, e.attempts, e.last_error AS "lastError", e.received_at AS "receivedAt"
         FROM webhook_event e, accounts
         WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $2
         ORDER BY e.received_at DESC LIMIT 20`,
      [workspaceId, maxAttempts],
    );
    return rows.map(toAbandoned);
  }

  /**
   * Gives the abandoned events of the workspace's accounts (all, or those of `ids`) a fresh set of
   * attempts; the ids taken.
   */
  async resetAbandoned(workspaceId: string, maxAttempts: number, ids: string[] | null): Promise<string[]> {
    const rows = await updateReturning<{ id: string }>(
      this.db,
      `WITH accounts AS (${WORKSPACE_ACCOUNTS})
       UPDATE webhook_event e SET attempts = 0
       FROM accounts
       WHERE e.unipile_account_id = ANY(accounts.ids) AND e.processed_at IS NULL AND e.attempts >= $2
         AND ($3::bigint[] IS NULL OR e.id = ANY($3::bigint[]))
       RETURNING e.id::text AS id`,
      [workspaceId, maxAttempts, ids],
    );
    return rows.map((r) => r.id);
  }

  private campaigns(workspaceId: string) {
    return this.db.getRepository(Campaign).createQueryBuilder('c').where('c.workspace_id = :ws', { ws: workspaceId });
  }
}
