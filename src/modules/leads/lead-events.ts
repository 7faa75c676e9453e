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
 * parameters start at `$${first}`, so a statement can put its own before them. The text does not
 * depend on the number of events, so a statement built on it can be prepared once.
 */
export function leadEventsInsertSql(first = 1): string {
  const types = ['uuid', 'uuid', 'uuid', 'uuid', 'lead_event_type', 'int', 'timestamptz', 'timestamptz', 'event_source', 'text', 'jsonb'];
  return `INSERT INTO lead_event (workspace_id, campaign_id, lead_id, linkedin_account_id, type, step_index,
                             occurred_at, detected_at, source, reason, meta)
     SELECT * FROM unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
}

/** The parameters of leadEventsInsertSql: one array per column. */
export function leadEventsParams(events: NewLeadEvent[]): unknown[] {
  return [
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
}

/** Appends events in one statement, however many. */
export async function insertLeadEvents(em: EntityManager, events: NewLeadEvent[]): Promise<void> {
  if (events.length === 0) return;
  await em.query(leadEventsInsertSql(), leadEventsParams(events));
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
