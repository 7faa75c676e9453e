import { type EntityManager, In } from 'typeorm';
import { type EventSource, Lead, LeadEventRepository, LeadRepository, type LeadStatus, type NewLeadEvent } from '../leads';

/** A lead whose step went out: its new status, where its sequence stands, when, and its chat. */
export type AdvancedLead = {
  leadId: string;
  status: LeadStatus;
  reason: string | null;
  sequenceVersion: number;
  nextStepIndex: number;
  at: Date;
  isInvite: boolean;
  chatId: string | null;
};

/** A lead moved on without a send of ours (already invited, already connected). */
export type LeadSkipAhead = {
  status: LeadStatus;
  statusReason: string;
  sequenceVersion: number;
  nextStepIndex: number;
  at: Date;
  /** Which time the skip stands for besides the step's: the invite's or the connection's. */
  marks: 'inviteSentAt' | 'connectedAt';
};

/**
 * The statements the engine runs on leads (a table of the leads feature): locks, the writes of a
 * step's outcome, and the leads feature's own schedule, event and exclusion statements (called
 * from here so that the engine reaches the leads table through this one class).
 */
export class EngineLeadsRepository {
  // The leads feature's own statements (schedule, events, exclusion), on the same manager.
  private readonly leads: LeadRepository;
  private readonly events: LeadEventRepository;

  constructor(private readonly db: EntityManager) {
    this.leads = new LeadRepository(db);
    this.events = new LeadEventRepository(db);
  }

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): EngineLeadsRepository {
    return new EngineLeadsRepository(em);
  }

  /** The leads, locked until the transaction ends, by id (those that exist). */
  async lockMany(ids: string[]): Promise<Map<string, Lead>> {
    const leads = await this.db.find(Lead, { where: { id: In(ids) }, lock: { mode: 'for_no_key_update' } });
    return new Map(leads.map((l) => [l.id, l]));
  }

  /** The lead, locked until the transaction ends (it must exist). */
  lockOne(id: string): Promise<Lead> {
    return this.db.findOneOrFail(Lead, { where: { id }, lock: { mode: 'for_no_key_update' } });
  }

  /** The lead is due again at `due`, waiting for `reason`. */
  async setWaiting(leadId: string, due: Date, reason: string): Promise<void> {
    await this.db.update(Lead, leadId, { nextActionAt: due, waitingReason: reason });
  }

  /** The lead fails with the reason: nothing more is due. */
  async markFailed(leadId: string, status: LeadStatus, reason: string): Promise<void> {
    await this.db.update(Lead, leadId, { status, statusReason: reason, nextActionAt: null, waitingReason: null });
  }

  /** The lead moves past a step without a send of ours. */
  async skipAhead(leadId: string, skip: LeadSkipAhead): Promise<void> {
    await this.db.update(Lead, leadId, {
      status: skip.status,
      statusReason: skip.statusReason,
      sequenceVersion: skip.sequenceVersion,
      nextStepIndex: skip.nextStepIndex,
      ...(skip.marks === 'inviteSentAt' ? { inviteSentAt: skip.at } : { connectedAt: skip.at }),
      lastStepSentAt: skip.at,
    });
  }

  /** The leads' step went out: status, sequence version, next step, send times, chat, in one statement. */
  async advance(rows: AdvancedLead[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE lead l SET status = v.status::lead_status, status_reason = v.reason, sequence_version = v.version, next_step_index = v.next,
              last_step_sent_at = v.at, first_outbound_at = coalesce(l.first_outbound_at, v.at),
              invite_sent_at = CASE WHEN v.invite THEN v.at ELSE l.invite_sent_at END, chat_id = coalesce(v.chat_id, l.chat_id), updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[], $7::bool[], $8::text[])
         AS v(id, status, reason, version, next, at, invite, chat_id)
       WHERE l.id = v.id`,
      [
        rows.map((r) => r.leadId),
        rows.map((r) => r.status),
        rows.map((r) => r.reason),
        rows.map((r) => r.sequenceVersion),
        rows.map((r) => r.nextStepIndex),
        rows.map((r) => r.at.toISOString()),
        rows.map((r) => r.isInvite),
        rows.map((r) => r.chatId),
      ],
    );
  }

  /** Fills missing member ids, never into a clash with another lead of the same person. */
  async backfillProviderIds(rows: Array<{ leadId: string; providerId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE lead l SET provider_id = v.provider_id
       FROM unnest($1::uuid[], $2::text[]) AS v(id, provider_id)
       WHERE l.id = v.id AND NOT EXISTS (
         SELECT 1 FROM lead o WHERE o.id <> l.id AND o.provider_id = v.provider_id
           AND (o.campaign_id = l.campaign_id OR (o.workspace_id = l.workspace_id AND o.status IN ('pending_invite', 'invite_sent', 'connected', 'messaged'))))`,
      [rows.map((r) => r.leadId), rows.map((r) => r.providerId)],
    );
  }

  /** When each lead's next step is due, from its campaign's sequence (all of its active leads without ids). */
  reschedule(campaignId: string, leadIds?: string[]): Promise<void> {
    return this.leads.reschedule(campaignId, leadIds);
  }

  /** reschedule() for leads of any campaigns, by id. */
  rescheduleIds(leadIds: string[]): Promise<void> {
    return this.leads.rescheduleIds(leadIds);
  }

  insertEvents(events: NewLeadEvent[]): Promise<void> {
    return this.events.insert(events);
  }

  /** Takes the active lead out of its sequence with the reason (and its status_changed event). */
  async exclude(leadId: string, reason: string, at: Date, source: EventSource): Promise<void> {
    await this.leads.excludeActive({ leadIds: [leadId] }, reason, at, source);
  }
}
