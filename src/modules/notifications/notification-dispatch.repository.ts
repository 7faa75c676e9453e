import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { NotificationContent } from './notification-content';
import type { CursorState, LiveEventRow } from './notification-events';
import type { NotificationChannelKind, NotificationEventType } from './notification-kinds';

export type Route = { workspaceId: string; eventType: NotificationEventType; campaignId: string | null; channelId: string; kind: NotificationChannelKind };

export type NewDelivery = {
  workspaceId: string;
  liveEventId: string;
  channelId: string;
  channelKind: NotificationChannelKind;
  eventType: NotificationEventType;
  campaignId: string | null;
  content: NotificationContent;
  attemptLimit: number;
};

export type Names = {
  leads: Map<string, { firstName: string | null; lastName: string | null; company: string | null; publicIdentifier: string | null; providerId: string | null }>;
  campaigns: Map<string, string>;
  accounts: Map<string, string>;
};

const liveEventSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  topic: z.string(),
  campaign_id: z.string().nullable(),
  account_id: z.string().nullable(),
  // Written by the publishers as an object; its keys are read one by one (notification-events.ts).
  payload: z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null),
  created_at: z.date(),
});
const liveEventsSchema = z.array(liveEventSchema);

/** The dispatcher's queries (live_event, notification_cursor, notification_rule, notification_delivery; names of leads, campaigns and accounts). */
export class NotificationDispatchRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction (the cursor lock holds until it ends). */
  withManager(em: EntityManager): NotificationDispatchRepository {
    return new NotificationDispatchRepository(em);
  }

  /** The one cursor row, locked; undefined while another dispatcher holds it. */
  async lockCursor(): Promise<CursorState | undefined> {
    const rows = await this.db.query<Array<{ last: string; gap_id: string | null; gap_since: Date | null }>>(
      `SELECT last_event_id::text AS last, gap_event_id::text AS gap_id, gap_since FROM notification_cursor WHERE id = 1 FOR NO KEY UPDATE SKIP LOCKED`,
    );
    const row = rows[0];
    return row && { last: BigInt(row.last), gapId: row.gap_id === null ? null : BigInt(row.gap_id), gapSince: row.gap_since };
  }

  async saveCursor(state: CursorState): Promise<void> {
    await this.db.query(`UPDATE notification_cursor SET last_event_id = $1, gap_event_id = $2, gap_since = $3, updated_at = now() WHERE id = 1`, [
      state.last.toString(),
      state.gapId?.toString() ?? null,
      state.gapSince,
    ]);
  }

  /** Every topic, so that the cursor sees each id and can tell a gap from a filtered row. */
  async readEvents(after: bigint, limit: number): Promise<LiveEventRow[]> {
    const rows = await this.db.query<unknown[]>(
      `SELECT id::text AS id, workspace_id, topic, campaign_id, account_id, payload, created_at
       FROM live_event WHERE id > $1 ORDER BY id LIMIT $2`,
      [after.toString(), limit],
    );
    return liveEventsSchema.parse(rows);
  }

  /** The rules of these workspaces for these event types, on channels of kinds switched on there. */
  async findRoutes(workspaceIds: string[], types: NotificationEventType[], kinds: NotificationChannelKind[]): Promise<Route[]> {
    const rows = await this.db.query<
      Array<{ workspace_id: string; event_type: NotificationEventType; campaign_id: string | null; channel_id: string; kind: NotificationChannelKind }>
    >(
        `SELECT r.workspace_id, r.event_type, r.campaign_id, c.id AS channel_id, c.kind
         FROM notification_rule r
         JOIN notification_channel c ON c.id = r.channel_id
         LEFT JOIN notification_settings s ON s.workspace_id = r.workspace_id
         WHERE r.workspace_id = ANY($1::uuid[]) AND r.event_type::text = ANY($2::text[]) AND c.kind::text = ANY($3::text[])
           AND CASE c.kind WHEN 'EMAIL' THEN coalesce(s.email_enabled, true)
                           WHEN 'SLACK' THEN coalesce(s.slack_enabled, true)
                           ELSE coalesce(s.webhooks_enabled, true) END`,
        [workspaceIds, types, kinds],
      );
    return rows.map((r) => ({ workspaceId: r.workspace_id, eventType: r.event_type, campaignId: r.campaign_id, channelId: r.channel_id, kind: r.kind }));
  }

  async loadNames(ids: { leads: string[]; campaigns: string[]; accounts: string[] }): Promise<Names> {
    // One after the other: a transaction's queries share one connection.
    const leads = await this.db.query<
      Array<{ id: string; first_name: string | null; last_name: string | null; company: string | null; public_identifier: string | null; provider_id: string | null }>
    >(`SELECT id, first_name, last_name, company, public_identifier, provider_id FROM lead WHERE id = ANY($1::uuid[])`, [ids.leads]);
    const campaigns = await this.db.query<Array<{ id: string; name: string }>>(`SELECT id, name FROM campaign WHERE id = ANY($1::uuid[])`, [ids.campaigns]);
    const accounts = await this.db.query<Array<{ id: string; display_name: string }>>(`SELECT id, display_name FROM linkedin_account WHERE id = ANY($1::uuid[])`, [
      ids.accounts,
    ]);
    return {
      leads: new Map(
        leads.map((l) => [l.id, { firstName: l.first_name, lastName: l.last_name, company: l.company, publicIdentifier: l.public_identifier, providerId: l.provider_id }]),
      ),
      campaigns: new Map(campaigns.map((c) => [c.id, c.name])),
      accounts: new Map(accounts.map((a) => [a.id, a.display_name])),
    };
  }

  /** Inserts what is new; a (live event, channel) pair that already has a delivery is left alone. */
  async insertDeliveries(deliveries: NewDelivery[], now: Date): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = await this.db.query<Array<{ id: string }>>(
      `INSERT INTO notification_delivery
         (workspace_id, live_event_id, channel_id, channel_kind, event_type, campaign_id, content, attempt_limit, status, next_attempt_at)
       SELECT x.workspace_id, x.live_event_id, x.channel_id, x.channel_kind, x.event_type, x.campaign_id, x.content, x.attempt_limit, 'PENDING', $2
       FROM jsonb_to_recordset($1::jsonb) AS x(workspace_id uuid, live_event_id bigint, channel_id uuid,
         channel_kind notification_channel_kind, event_type notification_event_type, campaign_id uuid, content jsonb, attempt_limit int)
       ON CONFLICT ON CONSTRAINT "UQ_notification_delivery_event_channel" DO NOTHING
       RETURNING id`,
      [
        JSON.stringify(
          deliveries.map((d) => ({
            workspace_id: d.workspaceId,
            live_event_id: d.liveEventId,
            channel_id: d.channelId,
            channel_kind: d.channelKind,
            event_type: d.eventType,
            campaign_id: d.campaignId,
            content: d.content,
            attempt_limit: d.attemptLimit,
          })),
        ),
        now,
      ],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Deliveries whose job was lost: due for longer than `staleMs` without being picked up, or
   * SENDING past their lease (the worker died mid-send).
   */
  async findStranded(now: Date, staleMs: number, limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM notification_delivery
       WHERE (status IN ('PENDING', 'RETRYING') AND next_attempt_at < $1) OR (status = 'SENDING' AND locked_until < $2)
       ORDER BY next_attempt_at LIMIT $3`,
      [new Date(now.getTime() - staleMs), now, limit],
    );
    return rows.map((r) => r.id);
  }
}
