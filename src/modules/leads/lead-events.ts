import type { EntityManager } from 'typeorm';
import { EventSource, LeadEventType } from './lead-event-type';
import type { LeadStatus } from './lead-status';

export type NewLeadEvent = {
  workspaceId: string;
  campaignId: string;
  leadId: string;
  linkedinAccountId?: string | null;
  type: LeadEventType;
  stepIndex?: number | null;
  occurredAt: Date;
  detectedAt?: Date;
  source: EventSource;
  reason?: string | null;
  meta?: Record<string, unknown>;
};

/**
 * `INSERT … SELECT` of events from arrays through unnest (not one parameter per value); its
 * parameters start at `$${first}`, so a statement can put its own before them.
 */
export function leadEventsInsert(events: NewLeadEvent[], first = 1): { sql: string; params: unknown[] } {
  const types = ['uuid', 'uuid', 'uuid', 'uuid', 'lead_event_type', 'int', 'timestamptz', 'timestamptz', 'event_source', 'text', 'jsonb'];
  const sql = `INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index,
                             occurred_at, detected_at, source, reason, meta)
     SELECT * FROM unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
  const params = [
    events.map((e) => e.workspaceId),
    events.map((e) => e.campaignId),
    events.map((e) => e.leadId),
    events.map((e) => e.linkedinAccountId ?? null),
    events.map((e) => e.type),
    events.map((e) => e.stepIndex ?? null),
    events.map((e) => e.occurredAt.toISOString()),
    events.map((e) => (e.detectedAt ?? e.occurredAt).toISOString()),
    events.map((e) => e.source),
    events.map((e) => e.reason ?? null),
    events.map((e) => JSON.stringify(e.meta ?? {})),
  ];
  return { sql, params };
}

/** Appends events in one statement, however many. */
export async function insertLeadEvents(em: EntityManager, events: NewLeadEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { sql, params } = leadEventsInsert(events);
  await em.query(sql, params);
}

/** The event that records a status change, with why. */
export function statusChangedEvent(
  lead: { id: string; workspaceId: string; campaignId: string; accountId: string | null },
  from: LeadStatus,
  to: LeadStatus,
  reason: string,
  at: Date,
  source: EventSource,
): NewLeadEvent {
  return {
    workspaceId: lead.workspaceId,
    campaignId: lead.campaignId,
    leadId: lead.id,
    linkedinAccountId: lead.accountId,
    type: LeadEventType.STATUS_CHANGED,
    occurredAt: at,
    source,
    reason,
    meta: { from, to },
  };
}
