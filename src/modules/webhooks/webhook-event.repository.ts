import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../../core/db/prepared-query';
import { updateReturning } from '../../core/db/update-returning';
import type { LinkedInAccount } from '../accounts';
import type { WebhookEvent } from './webhook-event.entity';

/** One webhook_event row to insert: provider_key, source, event, unipile_account_id, route, payload (raw JSON), received_at. */
export type NewWebhookEventRow = [string, string, string, string, string, string, Date];

/** What processing reads of a stored event, and of the sender account it names (when linked). */
export type StoredEvent = Pick<WebhookEvent, 'id' | 'source' | 'event' | 'payload' | 'receivedAt'>;
export type EventAccount = Pick<LinkedInAccount, 'id' | 'ownerProviderId' | 'status'>;
export type LockedEvent = { event: StoredEvent; account: EventAccount | null };

type LockedEventRow = StoredEvent & { accountId: string | null; ownerProviderId: string | null; accountStatus: LinkedInAccount['status'] | null };
const toLockedEvent = (r: LockedEventRow): LockedEvent => ({
  event: { id: r.id, source: r.source, event: r.event, payload: r.payload, receivedAt: r.receivedAt },
  account: r.accountId === null ? null : { id: r.accountId, ownerProviderId: r.ownerProviderId!, status: r.accountStatus! },
});

// Runs on every delivery: a prepared statement, read into plain objects (no entity mapping). The
// event and its account in one query; only the event row is locked.
const LOCK_UNPROCESSED = `SELECT e.id::text AS id, e.source, e.event, e.payload, e.received_at AS "receivedAt",
              a.id AS "accountId", a.owner_provider_id AS "ownerProviderId", a.status AS "accountStatus"
       FROM webhook_event e LEFT JOIN linkedin_account a ON e.unipile_account_id IS NOT NULL AND a.unipile_account_id = e.unipile_account_id
       WHERE e.id = $1 AND e.processed_at IS NULL
       FOR NO KEY UPDATE OF e`;

/** Storing webhook deliveries and taking them through processing (webhook_event). */
export class WebhookEventRepository {
  private readonly lockUnprocessedStatement: ReturnType<typeof preparedQuery<LockedEventRow>>;

  constructor(
    private readonly db: EntityManager,
    shared?: WebhookEventRepository,
  ) {
    // One prepared statement per process, shared by the copies bound to a transaction.
    this.lockUnprocessedStatement = shared?.lockUnprocessedStatement ?? preparedQuery<LockedEventRow>(db.dataSource, LOCK_UNPROCESSED);
  }

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): WebhookEventRepository {
    return new WebhookEventRepository(em, this);
  }

  /** The id of each row inserted, by provider key; rows whose key exists already are absent. */
  async insertMany(rows: NewWebhookEventRow[]): Promise<Map<string, string>> {
    const columns = rows[0].map((_, c) => rows.map((r) => r[c]));
    const inserted = await this.db.query<Array<{ id: string; provider_key: string }>>(
      `INSERT INTO webhook_event (provider_key, source, event, unipile_account_id, route, payload, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
       ON CONFLICT (provider_key) DO NOTHING
       RETURNING id, provider_key`,
      columns,
    );
    return new Map(inserted.map((r) => [r.provider_key, r.id]));
  }

  /** Ids of stored events by provider key (keys not stored are absent). */
  async idsByProviderKey(keys: string[]): Promise<Map<string, string>> {
    const rows = await this.db.query<Array<{ id: string; provider_key: string }>>(
      `SELECT id, provider_key FROM webhook_event WHERE provider_key = ANY($1::text[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r.provider_key, String(r.id)]));
  }

  /** Serialises account status deliveries of one account until the transaction ends. */
  async lockAccountStatus(unipileAccountId: string): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_event:account_status:' || $1))`, [unipileAccountId]);
  }

  /** The account's last stored status event (CREDENTIALS, OK …), if any. */
  async lastAccountStatus(unipileAccountId: string): Promise<string | undefined> {
    const [last] = await this.db.query<Array<{ event: string }>>(
      `SELECT event FROM webhook_event WHERE source = 'account_status' AND unipile_account_id = $1 ORDER BY id DESC LIMIT 1`,
      [unipileAccountId],
    );
    return last?.event;
  }

  /**
   * Ids of events not processed yet, oldest first: fewer than `maxAttempts` attempts, and a minute
   * per failed attempt since they were received.
   */
  async unprocessedIds(maxAttempts: number, now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_event
       WHERE processed_at IS NULL AND attempts < $1 AND received_at <= $2::timestamptz - attempts * interval '1 minute'
       ORDER BY received_at LIMIT $3`,
      [maxAttempts, now, limit],
    );
    return rows.map((r) => String(r.id));
  }

  /** The event, locked, with its sender account; undefined when it is processed already (or unknown). */
  async lockUnprocessed(eventId: string): Promise<LockedEvent | undefined> {
    const [row] = await this.lockUnprocessedStatement([eventId], this.db);
    return row && toLockedEvent(row);
  }

  async markProcessed(eventId: string, at: Date, outcome: string): Promise<void> {
    await this.db.query(`UPDATE webhook_event SET processed_at = $2, outcome = $3, attempts = attempts + 1, last_error = NULL WHERE id = $1`, [
      eventId,
      at,
      outcome,
    ]);
  }

  /** Counts a failed attempt with its reason; the attempts made so far (undefined: no such event). */
  async recordFailedAttempt(eventId: string, reason: string): Promise<number | undefined> {
    const [row] = await updateReturning<{ attempts: number }>(
      this.db,
      `UPDATE webhook_event SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING attempts`,
      [eventId, reason],
    );
    return row?.attempts;
  }
}
