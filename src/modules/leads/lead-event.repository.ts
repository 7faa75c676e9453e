import type { EntityManager } from 'typeorm';
import type { EventSource, LeadEventType } from './lead-event-type';
import { LeadEvent } from './lead-event.entity';

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

/** The lead_event table: appending events, and a lead's timeline. */
export class LeadEventRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): LeadEventRepository {
    return new LeadEventRepository(em);
  }

  /** Appends events in one statement, however many. */
  async insert(events: NewLeadEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(leadEventsInsertSql(), leadEventsParams(events));
  }

  /** A lead's events, oldest first. */
  timeline(leadId: string): Promise<LeadEvent[]> {
    return this.db.getRepository(LeadEvent).find({ where: { leadId }, order: { occurredAt: 'ASC', id: 'ASC' } });
  }
}
