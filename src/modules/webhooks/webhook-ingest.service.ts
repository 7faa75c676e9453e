import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { NewWebhookEventRow, WebhookEventRepository } from './webhook-event.repository';
import type { ClassifiedWebhook } from './webhook-payloads';

export type WebhookQueue = { enqueue(eventId: string): Promise<void> };

export type IngestResult = { eventId: string | null; duplicate: boolean };

type Pending = { row: NewWebhookEventRow; resolve(id: string | null): void; reject(error: unknown): void };

/** Bounds of the group insert: statements running at once (of the pool's 10), rows per statement. */
const MAX_STATEMENTS_IN_FLIGHT = 2;
const MAX_ROWS_PER_STATEMENT = 200;

/** Routes whose path says which source they expect; a payload of another source is still kept. */
export const WEBHOOK_ROUTES = { messaging: 'messaging', users: 'users', 'account-status': 'account_status' } as const;
export type WebhookRoute = keyof typeof WEBHOOK_ROUTES;

/**
 * Stores a delivery once and queues its processing. The request does nothing else, so Unipile gets
 * its 200 in milliseconds; an event left unprocessed is taken by the drain job.
 */
export class WebhookIngestService {
  private readonly log: Logger;
  private readonly pending: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: WebhookEventRepository,
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
      this.log.warn({ err: error, eventId }, 'webhook stored but not handed on; the drain job will process it');
    }
    return { eventId, duplicate: false };
  }

  /** Keyed events go through the group insert: concurrent deliveries share one statement. */
  private insert(webhook: ClassifiedWebhook, providerKey: string, route: WebhookRoute): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row: this.row(webhook, providerKey, route), resolve, reject });
      if (this.inFlight < MAX_STATEMENTS_IN_FLIGHT) void this.flush();
    });
  }

  private row(webhook: ClassifiedWebhook, providerKey: string, route: WebhookRoute): NewWebhookEventRow {
    return [providerKey, webhook.source, webhook.event, webhook.unipileAccountId, route, webhook.raw, this.clock.now()];
  }

  /**
   * Group commit: while a statement is in flight, new deliveries wait and then go together in the
   * next one. Nobody is answered before the statement holding their row has committed, so each
   * 200 still means stored; an idle service sends each delivery at once, alone.
   */
  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_ROWS_PER_STATEMENT);
        try {
          await this.settle(batch, await this.events.insertMany(batch.map((p) => p.row)));
        } catch (error) {
          // One bad row must not fail the others: each alone, so only it answers 500.
          if (batch.length === 1) batch[0].reject(error);
          else await Promise.all(batch.map((p) => this.events.insertMany([p.row]).then((ids) => this.settle([p], ids)).catch(p.reject)));
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * Answers each waiter of a statement: its row's id, or null when the key was there already. Two
   * copies of one delivery in one statement: the row went in once, the first copy is the stored one.
   * A key neither inserted nor found is an error (the delivery is answered 500 and Unipile retries):
   * "duplicate" is only ever said of a row that exists.
   */
  private async settle(batch: Pending[], inserted: Map<string, string>): Promise<void> {
    const absent = batch.map((p) => p.row[0]).filter((key) => !inserted.has(key));
    const existing = absent.length === 0 ? new Map<string, string>() : await this.events.idsByProviderKey(absent);
    const answered = new Set<string>();
    for (const p of batch) {
      const key = p.row[0];
      const id = inserted.get(key);
      if (id !== undefined && !answered.has(key)) p.resolve(id);
      else if (id !== undefined || existing.has(key)) p.resolve(null);
      else p.reject(new Error(`webhook event ${key} was neither stored nor found`));
      answered.add(key);
    }
  }

  /**
   * Account status bodies carry no id or time, and Unipile reports transitions only: a body equal
   * to the account's last stored status is a retry or a duplicate. The per-account lock makes
   * concurrent copies see each other.
   */
  private insertAccountStatus(webhook: ClassifiedWebhook, route: WebhookRoute): Promise<string | null> {
    return this.dataSource.transaction(async (em) => {
      const events = this.events.withManager(em);
      await events.lockAccountStatus(webhook.unipileAccountId);
      if ((await events.lastAccountStatus(webhook.unipileAccountId)) === webhook.event) return null;
      const key = `account_status:${webhook.unipileAccountId}:${webhook.event}:${randomUUID()}`;
      const id = (await events.insertMany([this.row(webhook, key, route)])).get(key);
      if (id === undefined) throw new Error(`account status event ${key} was not stored`);
      return id;
    });
  }

  /**
   * Ids of stored events not processed yet, oldest first. An event that failed waits a minute per
   * failed attempt before it is offered again, and is given up after maxAttempts (kept, with its
   * last error, for an operator).
   */
  unprocessed(maxAttempts: number, limit: number): Promise<string[]> {
    return this.events.unprocessedIds(maxAttempts, this.clock.now(), limit);
  }
}
