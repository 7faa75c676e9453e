import type { EntityManager } from 'typeorm';
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

/** The dispatcher's queries; every method runs in the caller's transaction. */
export class NotificationDispatchRepository {
  /** The one cursor row, locked; undefined while another dispatcher holds it. */
  async lockCursor(em: EntityManager): Promise<CursorState | undefined> {
    const rows: Array<{ last: string; gap_id: string | null; gap_since: Date | null }> = await em.query(
      `SELECT last_event_id::text AS last, gap_event_id::text AS gap_id, gap_since FROM notification_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    );
    const row = rows[0];
    return row && { last: BigInt(row.last), gapId: row.gap_id === null ? null : BigInt(row.gap_id), gapSince: row.gap_since };
  }

  async saveCursor(em: EntityManager, state: CursorState): Promise<void> {
    await em.query(`UPDATE notification_cursor SET last_event_id = $1, gap_event_id = $2, gap_since = $3, updated_at = now() WHERE id = 1`, [
      state.last.toString(),
      state.gapId?.toString() ?? null,
      state.gapSince,
    ]);
  }

  /** Every topic, so that the cursor sees each id and can tell a gap from a filtered row. */
  readEvents(em: EntityManager, after: bigint, limit: number): Promise<LiveEventRow[]> {
    return em.query(
      `SELECT id::text AS id, workspace_id, topic, campaign_id, account_id, payload, created_at
       FROM live_event WHERE id > $1 ORDER BY id LIMIT $2`,
      [after.toString(), limit],
    );
  }

  /** The rules of these workspaces for these event types, on channels of kinds switched on there. */
  async findRoutes(em: EntityManager, workspaceIds: string[], types: NotificationEventType[], kinds: NotificationChannelKind[]): Promise<Route[]> {
    const rows: Array<{ workspace_id: string; event_type: NotificationEventType; campaign_id: string | null; channel_id: string; kind: NotificationChannelKind }> =
      await em.query(
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

  async loadNames(em: EntityManager, ids: { leads: string[]; campaigns: string[]; accounts: string[] }): Promise<Names> {
    // One after the other: a transaction's queries share one connection.
    const leads: Array<{ id: string; first_name: string | null; last_name: string | null; company: string | null; public_identifier: string | null; provider_id: string | null }> =
      await em.query(`SELECT id, first_name, last_name, company, public_identifier, provider_id FROM lead WHERE id = ANY($1::uuid[])`, [ids.leads]);
    const campaigns: Array<{ id: string; name: string }> = await em.query(`SELECT id, name FROM campaign WHERE id = ANY($1::uuid[])`, [ids.campaigns]);
    const accounts: Array<{ id: string; display_name: string }> = await em.query(`SELECT id, display_name FROM linkedin_account WHERE id = ANY($1::uuid[])`, [
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
  async insertDeliveries(em: EntityManager, deliveries: NewDelivery[], now: Date): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows: Array<{ id: string }> = await em.query(
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
  async findStranded(em: EntityManager, now: Date, staleMs: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await em.query(
      `SELECT id FROM notification_delivery
       WHERE (status IN ('PENDING', 'RETRYING') AND next_attempt_at < $1) OR (status = 'SENDING' AND locked_until < $2)
       ORDER BY next_attempt_at LIMIT $3`,
      [new Date(now.getTime() - staleMs), now, limit],
    );
    return rows.map((r) => r.id);
  }
}
