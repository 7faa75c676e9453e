import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { LiveEvent, LiveTopic } from './live-event-feed';

/** A live_event row as a query (or a NOTIFY payload, with created_at as text) gives it. */
export type LiveEventRow = {
  id: string;
  workspace_id: string;
  topic: LiveTopic;
  campaign_id: string | null;
  account_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date | string;
};

export const toLiveEvent = (r: LiveEventRow): LiveEvent => ({
  id: String(r.id),
  workspaceId: r.workspace_id,
  topic: r.topic,
  campaignId: r.campaign_id,
  accountId: r.account_id,
  payload: r.payload,
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
});

const COLUMNS = `id::text AS id, workspace_id, topic, campaign_id, account_id, payload, created_at`;

const maxIdSchema = z.object({ max: z.string().nullable() });

/** The NOTIFY channel live_event_publish sends on. */
const CHANNEL = 'outreach_live';

/** A connection hearing live event notifications; end() closes it. */
export type LiveEventListener = { end(): Promise<void> };

/**
 * The live_event log: written by database triggers and live_event_publish, read by the feed and
 * catch-up. `withManager(em)` gives the same statements inside `em`'s transaction.
 */
export class LiveEventRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): LiveEventRepository {
    return new LiveEventRepository(em);
  }

  /** The highest id written so far (0 when none). */
  async maxId(): Promise<bigint> {
    const [row] = await this.db.query(`SELECT max(id)::text AS max FROM live_event`);
    return BigInt(maxIdSchema.parse(row).max ?? 0);
  }

  /** Events after an id, every workspace and topic, oldest first. */
  async after(id: bigint, limit: number): Promise<LiveEvent[]> {
    const rows: LiveEventRow[] = await this.db.query(`SELECT ${COLUMNS} FROM live_event WHERE id > $1 ORDER BY id LIMIT $2`, [id.toString(), limit]);
    return rows.map(toLiveEvent);
  }

  /** The events among these ids that exist (committed), in no particular order. */
  async byIds(ids: string[]): Promise<LiveEvent[]> {
    const rows: LiveEventRow[] = await this.db.query(`SELECT ${COLUMNS} FROM live_event WHERE id = ANY($1::bigint[])`, [ids]);
    return rows.map(toLiveEvent);
  }

  /** A workspace's events after an id, oldest first, of these topics (any when null); never SESSIONS_REVOKED. */
  async workspaceAfter(workspaceId: string, after: bigint, topics: LiveTopic[] | null, limit: number): Promise<LiveEvent[]> {
    const rows: LiveEventRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM live_event
       WHERE workspace_id = $1 AND id > $2 AND ($3::text[] IS NULL OR topic = ANY($3)) AND topic <> 'SESSIONS_REVOKED' ORDER BY id LIMIT $4`,
      [workspaceId, after.toString(), topics, limit],
    );
    return rows.map(toLiveEvent);
  }

  /**
   * Opens a dedicated connection to `url` that hears every live event NOTIFY (the payload: the row
   * as JSON, or its id when too large), from every instance, after its commit.
   */
  async listen(url: string, onNotify: (payload: string | undefined) => void, onError: (err: Error) => void): Promise<LiveEventListener> {
    const client = new Client({ connectionString: url });
    client.on('notification', (message) => onNotify(message.payload));
    client.on('error', onError);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /**
   * A workspace-wide event (no campaign, no account), in this repository's transaction when bound
   * to one: live_event_publish writes the row and NOTIFYs it at commit.
   */
  async publish(workspaceId: string, topic: LiveTopic, payload: Record<string, unknown>): Promise<void> {
    await this.db.query(`SELECT live_event_publish($1::uuid, $2, NULL, NULL, $3::jsonb)`, [workspaceId, topic, JSON.stringify(payload)]);
  }
}
