import { registerEnumType } from 'type-graphql';

/**
 * The event catalogue: everything that happens to a lead, one row each in lead_event.
 * Analytics definitions (README "Analytics") count these types; the timeline shows them all.
 */
export enum LeadEventType {
  /** The lead was added to a campaign (meta.via: single | bulk | csv). */
  LEAD_ADDED = 'lead_added',
  /** The lead's status changed (meta.from, meta.to; reason says why). */
  STATUS_CHANGED = 'status_changed',
  /** A step could not run yet (reason: a deferral code; meta.until: next eligible time). */
  STEP_DEFERRED = 'step_deferred',
  /** A connection request went out (meta.linkedin_account_id, method, unipile_result). */
  CONNECTION_REQUEST_SENT = 'connection_request_sent',
  /** The lead accepted our invitation (detected by webhook, poll or sync). */
  CONNECTION_ACCEPTED = 'connection_accepted',
  /** Already connected before the campaign reached the lead (historical sync). */
  CONNECTION_ACCEPTED_HISTORICAL = 'connection_accepted_historical',
  /** A message went out (meta.linkedin_account_id, method, unipile_result, chat_id). */
  MESSAGE_SENT = 'message_sent',
  /** The lead wrote to the sender (never the sender's own messages). */
  MESSAGE_RECEIVED = 'message_received',
  /** A step failed for good (reason: the failure code). */
  STEP_FAILED = 'step_failed',
  /** The lead asked not to be contacted again. */
  LEAD_OPTED_OUT = 'lead_opted_out',
}
registerEnumType(LeadEventType, { name: 'LeadEventType' });

export enum EventSource {
  ENGINE = 'engine',
  WEBHOOK = 'webhook',
  POLL = 'poll',
  SYNC = 'sync',
  OPERATOR = 'operator',
  IMPORT = 'import',
}
registerEnumType(EventSource, { name: 'EventSource', description: 'What detected or caused an event' });
