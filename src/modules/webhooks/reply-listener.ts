import type { Logger } from '../../core/logger';
import type { EventSource, ReplyResult } from '../leads';

/** A reply newly recorded for a lead (never a duplicate, never the account's own message). */
export type DetectedReply = {
  workspaceId: string;
  campaignId: string;
  leadId: string;
  /** Our LinkedInAccount id. */
  accountId: string;
  messageId: string;
  chatId: string | null;
  text: string | null;
  occurredAt: Date;
  optedOut: boolean;
  source: EventSource;
};

/**
 * The seam for publishing replies (GraphQL subscriptions, operator notifications): app.ts passes
 * one listener to the webhook processor and the reconciliation poller. It runs after the reply is
 * committed; a failing listener is logged and never undoes or repeats the reply.
 */
export type ReplyListener = (reply: DetectedReply) => void | Promise<void>;

export async function announceReply(
  listener: ReplyListener | undefined,
  log: Logger,
  result: ReplyResult | undefined,
  reply: { accountId: string; messageId: string; chatId?: string | null; text: string | null; occurredAt: Date; source: EventSource },
): Promise<void> {
  if (!listener || !result || result.duplicate) return;
  const { lead } = result;
  try {
    await listener({
      workspaceId: lead.workspaceId,
      campaignId: lead.campaignId,
      leadId: lead.id,
      accountId: reply.accountId,
      messageId: reply.messageId,
      chatId: reply.chatId ?? lead.chatId,
      text: reply.text,
      occurredAt: reply.occurredAt,
      optedOut: result.optedOut,
      source: reply.source,
    });
  } catch (error) {
    log.error({ err: error, leadId: lead.id }, 'reply listener failed');
  }
}
