import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { ClassifiedWebhook } from './webhook-payloads';

export type WebhookQueue = { enqueue(eventId: string): Promise<void> };

export type IngestResult = { eventId: string | null; duplicate: boolean };

/** Routes whose path says which source they expect; a payload of another source is still kept. */
export const WEBHOOK_ROUTES = { messaging: 'messaging', users: 'users', 'account-status': 'account_status' } as const;
export type WebhookRoute = keyof typeof WEBHOOK_ROUTES;

/**
 * Stores a delivery once and queues its processing. The request does nothing else, so Unipile gets
 * its 200 in milliseconds; a queueing failure leaves the event for the requeue job.
 */
export class WebhookIngestService {
  private readonly log: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: WebhookQueue,
    private readonly clock: Clock,
    log: Logger,
  ) {
    this.log = log.child({ module: 'webhooks' });
  }

  async ingest(webhook: ClassifiedWebhook, route: WebhookRoute): Promise<IngestResult> {
    if (WEBHOOK_ROUTES[route] !== webhook.source) {
      this.log.warn({ route, source: webhook.source, event: webhook.event }, 'webhook delivered on the route of another source (run ensureWebhooks)');
    }
    const eventId = webhook.providerKey === null ? await this.insertAccountStatus(webhook, route) : await this.insert(webhook, webhook.providerKey, route);
    if (eventId === null) return { eventId: null, duplicate: true };
    try {
      await this.queue.enqueue(eventId);
    } catch (error) {
      this.log.warn({ err: error, eventId }, 'webhook stored but not queued; the requeue job will process it');
    }
    return { eventId, duplicate: false };
  }

  private async insert(webhook: ClassifiedWebhook, providerKey: string, route: WebhookRoute, db: Pick<DataSource, 'query'> = this.dataSource): Promise<string | null> {
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO webhook_event (provider_key, source, event, unipile_account_id, route, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (provider_key) DO NOTHING
       RETURNING id`,
      [providerKey, webhook.source, webhook.event, webhook.unipileAccountId, route, webhook.payload, this.clock.now()],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Account status bodies carry no id or time, and Unipile reports transitions only: a body equal
   * to the account's last stored status is a retry or a duplicate. The per-account lock makes
   * concurrent copies see each other.
   */
  private insertAccountStatus(webhook: ClassifiedWebhook, route: WebhookRoute): Promise<string | null> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_event:account_status:' || $1))`, [webhook.unipileAccountId]);
      const [last]: Array<{ event: string }> = await em.query(
        `SELECT event FROM webhook_event WHERE source = 'account_status' AND unipile_account_id = $1 ORDER BY id DESC LIMIT 1`,
        [webhook.unipileAccountId],
      );
      if (last?.event === webhook.event) return null;
      return this.insert(webhook, `account_status:${webhook.unipileAccountId}:${webhook.event}:${randomUUID()}`, route, em);
    });
  }

  /** Events not processed a while after arrival (queueing failed, or processing did): queued again. */
  async requeueStale(olderThanMs: number, maxAttempts: number, limit = 500): Promise<number> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM webhook_event
       WHERE processed_at IS NULL AND received_at < $1 AND attempts < $2
       ORDER BY received_at LIMIT $3`,
      [new Date(this.clock.now().getTime() - olderThanMs), maxAttempts, limit],
    );
    for (const { id } of rows) await this.queue.enqueue(id);
    return rows.length;
  }
}
