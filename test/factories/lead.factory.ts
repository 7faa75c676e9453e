import type { DataSource } from 'typeorm';
import { EventSource } from '../../src/modules/leads/lead-event-type';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { LeadRepository } from '../../src/modules/leads/lead.repository';
import type { TestApp } from '../support/test-app';

// Leads at a given point of their sequence. Facts LinkedIn reports go through LeadProgressService,
// as webhooks and polls record them. What the engine records when it sends a step is written with
// LeadRepository.update, the statement the app writes leads with: reaching it through the engine
// would mean running a campaign (these tests send through the sandbox themselves, or not at all).

const leads = (ds: DataSource) => new LeadRepository(ds.manager);

/**
 * The lead sends from this account. Written directly: the app pins leads round robin over the
 * campaign's senders when it is activated, and these campaigns stay drafts.
 */
export function pinLeadToSender(ds: DataSource, leadId: string, accountId: string): Promise<void> {
  return leads(ds).update(leadId, { accountId });
}

/** The campaign's sender-less active leads pinned round robin to its senders (what activation does). */
export function pinLeadsToSenders(ds: DataSource, campaignId: string): Promise<void> {
  return leads(ds).assignSenders(campaignId);
}

/**
 * The lead's invitation went out at `at` (its first step done), as the engine records the send.
 * With `accountId`, from that sender; with `firstOutbound`, also as its first outbound action.
 */
export function markInviteSent(
  ds: DataSource,
  leadId: string,
  sent: { providerId: string; at?: Date; accountId?: string; firstOutbound?: boolean },
): Promise<void> {
  const at = sent.at ?? new Date();
  return leads(ds).update(leadId, {
    ...(sent.accountId ? { accountId: sent.accountId } : {}),
    status: LeadStatus.INVITE_SENT,
    providerId: sent.providerId,
    inviteSentAt: at,
    lastStepSentAt: at,
    ...(sent.firstOutbound ? { firstOutboundAt: at } : {}),
    nextStepIndex: 1,
  });
}

/**
 * The engine's invite of `sequenceVersion` went out at `sentAt` and was accepted: a lead on its
 * way through that version.
 */
export function markConnectedOnVersion(ds: DataSource, leadId: string, started: { sequenceVersion: number; sentAt: Date }): Promise<void> {
  return leads(ds).update(leadId, {
    status: LeadStatus.CONNECTED,
    sequenceVersion: started.sequenceVersion,
    nextStepIndex: 1,
    lastStepSentAt: started.sentAt,
    inviteSentAt: started.sentAt,
  });
}

/**
 * The engine messaged the lead in `chatId` (a conversation the test opened through the sandbox).
 * With `nextStepIndex` and `lastStepSentAt`, also where that message left its sequence.
 */
export function markMessaged(ds: DataSource, leadId: string, message: { chatId: string; nextStepIndex?: number; lastStepSentAt?: Date }): Promise<void> {
  return leads(ds).update(leadId, {
    status: LeadStatus.MESSAGED,
    chatId: message.chatId,
    ...(message.nextStepIndex === undefined ? {} : { nextStepIndex: message.nextStepIndex }),
    ...(message.lastStepSentAt ? { lastStepSentAt: message.lastStepSentAt } : {}),
  });
}

/**
 * The lead's status alone, none of the steps or facts that lead to it: for code that reads only
 * the status (the status a history would leave is what the check is about, not the history).
 */
export function setLeadStatus(ds: DataSource, leadId: string, status: LeadStatus): Promise<void> {
  return leads(ds).update(leadId, { status });
}

/** The invited lead accepted, reported by Unipile to its sender (LeadProgressService.markConnected). */
export function recordAcceptance(t: TestApp, lead: { accountId: string; providerId: string }): Promise<string[]> {
  return t.app.leadProgress.markConnected({ accountId: lead.accountId, providerId: lead.providerId, occurredAt: new Date(), source: EventSource.WEBHOOK });
}

/**
 * `count` more leads of one sender and campaign, in one statement: odd ones due a minute apart
 * from `from`, even ones never. Raw SQL: a volume for the query planner (tens of thousands of
 * rows nothing ever sends to), which imports through the API would take minutes to make.
 */
export async function insertLeadVolume(
  ds: DataSource,
  volume: { workspaceId: string; campaignId: string; accountId: string; count: number; from: Date },
): Promise<void> {
  await ds.query(
    `INSERT INTO lead (workspace_id, campaign_id, account_id, public_identifier, next_action_at)
     SELECT $1, $2, $3, 'plan-' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE $4::timestamptz + g * interval '1 minute' END
     FROM generate_series(1, $5::int) g`,
    [volume.workspaceId, volume.campaignId, volume.accountId, volume.from, volume.count],
  );
}
