import type { EntityManager } from 'typeorm';
import type { EventSource } from './lead-event-type';
import { ACTIVE_LEAD_STATUSES_SQL } from './lead-status';

export type LeadFilter =
  | { campaignId: string }
  | { leadIds: string[] }
  | { workspaceId: string; publicIdentifiers: string[]; providerIds: string[] };

/**
 * Takes active leads out of their sequence (status `excluded`, nothing due) and records a
 * status_changed event with the reason for each, in one statement. Returns the ids changed.
 */
export async function excludeActiveLeads(
  em: EntityManager,
  filter: LeadFilter,
  reason: string,
  at: Date,
  source: EventSource,
): Promise<string[]> {
  const [where, params] =
    'campaignId' in filter
      ? ['campaign_id = $4', [filter.campaignId]]
      : 'leadIds' in filter
        ? ['id = ANY($4::uuid[])', [filter.leadIds]]
        : ['workspace_id = $4 AND (public_identifier = ANY($5) OR provider_id = ANY($6))', [filter.workspaceId, filter.publicIdentifiers, filter.providerIds]];
  const rows: Array<{ lead_id: string }> = await em.query(
    `WITH old AS (
       SELECT id, status FROM lead WHERE ${where} AND status IN (${ACTIVE_LEAD_STATUSES_SQL}) FOR UPDATE
     ), changed AS (
       UPDATE lead l SET status = 'excluded', status_reason = $1, next_action_at = NULL, waiting_reason = NULL, updated_at = $2
       FROM old WHERE l.id = old.id
       RETURNING l.id, l.workspace_id, l.campaign_id, l.account_id, old.status AS from_status
     )
     INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, occurred_at, detected_at, source, reason, meta)
     SELECT workspace_id, campaign_id, id, account_id, 'status_changed', $2, $2, $3::event_source, $1,
            jsonb_build_object('from', from_status, 'to', 'excluded')
     FROM changed
     RETURNING lead_id`,
    [reason, at, source, ...params],
  );
  return rows.map((r) => r.lead_id);
}
