import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../../core/db/prepared-query';
import { type NewLeadEvent, leadEventsInsertSql, leadEventsParams } from './lead-event.repository';
import type { Lead } from './lead.entity';

// The two statements of recording a reply (LeadProgressService.markReplied). They run for every
// reply, so they are prepared statements read into plain objects (columns named as the entity's
// properties), not query builders and entities.

/** What recording a reply reads of the lead (and hands back to its caller). */
export type ReplyingLead = Pick<
  Lead,
  | 'id' | 'workspaceId' | 'campaignId' | 'accountId' | 'status' | 'statusReason' | 'publicIdentifier' | 'providerId' | 'chatId'
  | 'nextStepIndex' | 'nextActionAt' | 'waitingReason' | 'firstReplyAt' | 'lastStepBeforeReply'
>;

/** The lead's state after a reply, as recordReply writes it. */
export type RepliedLeadState = Pick<
  ReplyingLead,
  'status' | 'statusReason' | 'providerId' | 'chatId' | 'nextActionAt' | 'waitingReason' | 'firstReplyAt' | 'lastStepBeforeReply'
>;

/** The lead of this account in that chat, or else with that member id (newest first), locked. */
const FIND_REPLYING_LEAD_SQL = `
  SELECT id, workspace_id AS "workspaceId", campaign_id AS "campaignId", account_id AS "accountId", status,
         status_reason AS "statusReason", public_identifier AS "publicIdentifier", provider_id AS "providerId",
         chat_id AS "chatId", next_step_index AS "nextStepIndex", next_action_at AS "nextActionAt",
         waiting_reason AS "waitingReason", first_reply_at AS "firstReplyAt", last_step_before_reply AS "lastStepBeforeReply"
  FROM lead WHERE account_id = $1 AND (chat_id = $2 OR provider_id = $3)
  ORDER BY coalesce(chat_id = $2, false) DESC, created_at DESC LIMIT 1
  FOR NO KEY UPDATE`;

/**
 * Records a reply once: unless this message is already recorded for the lead (the lead row is
 * locked, so a concurrent copy waits and then sees it), inserts its events, writes the lead's new
 * state and, with $3, skips its scheduled steps. Returns the events inserted (none: a duplicate).
 */
const RECORD_REPLY_SQL = `
  WITH fresh AS (
    SELECT NOT EXISTS (SELECT 1 FROM lead_event WHERE lead_id = $1 AND type = 'message_received' AND meta->>'message_id' = $2) AS yes
  ), skipped AS (
    UPDATE step_execution SET state = 'skipped', last_error = 'LEAD_REPLIED'
    WHERE lead_id = $1 AND state = 'scheduled' AND $3 AND (SELECT yes FROM fresh)
  ), updated AS (
    UPDATE lead SET status = $4, status_reason = $5, provider_id = $6, chat_id = $7, next_action_at = $8, waiting_reason = $9,
                    first_reply_at = $10, last_step_before_reply = $11, updated_at = now()
    WHERE id = $1 AND (SELECT yes FROM fresh)
  )
  ${leadEventsInsertSql(12)}
  WHERE (SELECT yes FROM fresh)
  RETURNING id`;

/** Recording replies on leads (lead, lead_event, step_execution), with statements prepared once per process. */
export class LeadReplyRepository {
  private readonly lockReplyingLeadStatement: ReturnType<typeof preparedQuery<ReplyingLead>>;
  private readonly recordReplyStatement: ReturnType<typeof preparedQuery<{ id: string }>>;

  constructor(
    private readonly db: EntityManager,
    shared?: LeadReplyRepository,
  ) {
    // One prepared statement per process, shared by the copies bound to a transaction.
    this.lockReplyingLeadStatement = shared?.lockReplyingLeadStatement ?? preparedQuery<ReplyingLead>(db.dataSource, FIND_REPLYING_LEAD_SQL);
    this.recordReplyStatement = shared?.recordReplyStatement ?? preparedQuery<{ id: string }>(db.dataSource, RECORD_REPLY_SQL);
  }

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): LeadReplyRepository {
    return new LeadReplyRepository(em, this);
  }

  /** The account's lead in that chat, or else with that member id (newest first), locked; undefined when none. */
  async lockReplyingLead(accountId: string, chatId: string | null, providerId: string | null): Promise<ReplyingLead | undefined> {
    const [lead] = await this.lockReplyingLeadStatement([accountId, chatId, providerId], this.db);
    return lead;
  }

  /**
   * Records the reply `messageId` once: its events and the lead's new state, and with
   * `skipScheduled` its scheduled steps skipped. False when the message was recorded already.
   */
  async recordReply(leadId: string, messageId: string, skipScheduled: boolean, next: RepliedLeadState, events: NewLeadEvent[]): Promise<boolean> {
    const state = [next.status, next.statusReason, next.providerId, next.chatId, next.nextActionAt, next.waitingReason, next.firstReplyAt, next.lastStepBeforeReply];
    const recorded = await this.recordReplyStatement([leadId, messageId, skipScheduled, ...state, ...leadEventsParams(events)], this.db);
    return recorded.length > 0;
  }
}
