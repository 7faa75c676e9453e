import { leadEventsInsertSql } from './lead-events';
import type { LeadStatus } from './lead-status';
import type { Lead } from './lead.entity';

// The two statements of recording a reply (LeadProgressService.markReplied). They run for every
// reply, so they are prepared statements read into plain objects, not query builders and entities.

/** What recording a reply reads of the lead (and hands back to its caller). */
export type ReplyingLead = Pick<
  Lead,
  | 'id' | 'workspaceId' | 'campaignId' | 'accountId' | 'status' | 'statusReason' | 'publicIdentifier' | 'providerId' | 'chatId'
  | 'nextStepIndex' | 'nextActionAt' | 'waitingReason' | 'firstReplyAt' | 'lastStepBeforeReply'
>;

/** The lead of this account in that chat, or else with that member id (newest first), locked. */
export const FIND_REPLYING_LEAD_SQL = `
  SELECT id, workspace_id, campaign_id, account_id, status, status_reason, public_identifier, provider_id, chat_id,
         next_step_index, next_action_at, waiting_reason, first_reply_at, last_step_before_reply
  FROM lead WHERE account_id = $1 AND (chat_id = $2 OR provider_id = $3)
  ORDER BY coalesce(chat_id = $2, false) DESC, created_at DESC LIMIT 1
  FOR UPDATE`;

/**
 * Records a reply once: unless this message is already recorded for the lead (the lead row is
 * locked, so a concurrent copy waits and then sees it), inserts its events, writes the lead's new
 * state and, with $3, skips its scheduled steps. Returns the events inserted (none: a duplicate).
 */
export const RECORD_REPLY_SQL = `
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

export type ReplyingLeadRow = {
  id: string;
  workspace_id: string;
  campaign_id: string;
  account_id: string | null;
  status: LeadStatus;
  status_reason: string | null;
  public_identifier: string | null;
  provider_id: string | null;
  chat_id: string | null;
  next_step_index: number;
  next_action_at: Date | null;
  waiting_reason: string | null;
  first_reply_at: Date | null;
  last_step_before_reply: number | null;
};

export const replyingLead = (r: ReplyingLeadRow): ReplyingLead => ({
  id: r.id,
  workspaceId: r.workspace_id,
  campaignId: r.campaign_id,
  accountId: r.account_id,
  status: r.status,
  statusReason: r.status_reason,
  publicIdentifier: r.public_identifier,
  providerId: r.provider_id,
  chatId: r.chat_id,
  nextStepIndex: r.next_step_index,
  nextActionAt: r.next_action_at,
  waitingReason: r.waiting_reason,
  firstReplyAt: r.first_reply_at,
  lastStepBeforeReply: r.last_step_before_reply,
});

