import type { EntityManager } from 'typeorm';
import type { LeadStatus } from '../leads';

/** A lead waiting on its invitation, as the reconciliation poll matches relations to it. */
export type InvitedLead = { providerId: string | null; publicIdentifier: string | null; inviteSentAt: Date | null };
const toInvitedLead = (r: { provider_id: string | null; public_identifier: string | null; invite_sent_at: Date | null }): InvitedLead => ({
  providerId: r.provider_id,
  publicIdentifier: r.public_identifier,
  inviteSentAt: r.invite_sent_at,
});

/** How a lead is known in conversations. */
export type ChatLead = { chatId: string | null; providerId: string | null };
const toChatLead = (r: { chat_id: string | null; provider_id: string | null }): ChatLead => ({ chatId: r.chat_id, providerId: r.provider_id });

/** A lead the historical sync may match to a relation. */
export type ConnectionCandidate = { id: string; providerId: string | null; publicIdentifier: string | null };
const toCandidate = (r: { id: string; provider_id: string | null; public_identifier: string | null }): ConnectionCandidate => ({
  id: r.id,
  providerId: r.provider_id,
  publicIdentifier: r.public_identifier,
});

/** A connected lead without a chat id, with its sender's Unipile account. */
export type LeadWithoutChat = { id: string; providerId: string; accountId: string; unipileAccountId: string };
const toLeadWithoutChat = (r: { id: string; provider_id: string; account_id: string; unipile_account_id: string }): LeadWithoutChat => ({
  id: r.id,
  providerId: r.provider_id,
  accountId: r.account_id,
  unipileAccountId: r.unipile_account_id,
});

/** What syncs, backfills and the reconciliation poll read and write of leads (lead, lead_event: tables of the leads feature). */
export class SyncLeadsRepository {
  constructor(private readonly db: EntityManager) {}

  /** The account's leads whose invitation is pending (status invite_sent). */
  async invitedLeads(accountId: string): Promise<InvitedLead[]> {
    const rows = await this.db.query<Array<{ provider_id: string | null; public_identifier: string | null; invite_sent_at: Date | null }>>(
      `SELECT provider_id, public_identifier, invite_sent_at FROM lead WHERE account_id = $1 AND status = 'invite_sent'`,
      [accountId],
    );
    return rows.map(toInvitedLead);
  }

  /** The account's leads in one of these chats, or one of these members. */
  async leadsInChats(accountId: string, chatIds: string[], providerIds: string[]): Promise<ChatLead[]> {
    const rows = await this.db.query<Array<{ chat_id: string | null; provider_id: string | null }>>(
      `SELECT chat_id, provider_id FROM lead WHERE account_id = $1 AND (chat_id = ANY($2::text[]) OR provider_id = ANY($3::text[]))`,
      [accountId, chatIds, providerIds],
    );
    return rows.map(toChatLead);
  }

  /** The account's leads in these statuses (of one campaign, or all) with no acceptance recorded yet. */
  async connectionCandidates(accountId: string, statuses: readonly LeadStatus[], campaignId: string | null): Promise<ConnectionCandidate[]> {
    const rows = await this.db.query<Array<{ id: string; provider_id: string | null; public_identifier: string | null }>>(
      `SELECT id, provider_id, public_identifier FROM lead l
         WHERE account_id = $1 AND status = ANY($2::lead_status[]) AND ($3::uuid IS NULL OR campaign_id = $3)
           AND NOT EXISTS (SELECT 1 FROM lead_event e WHERE e.lead_id = l.id AND e.type IN ('connection_accepted', 'connection_accepted_historical'))`,
      [accountId, [...statuses], campaignId],
    );
    return rows.map(toCandidate);
  }

  /** The workspace's connected leads with a member id and no chat id (of a campaign and/or an account), by account. */
  async leadsWithoutChat(workspaceId: string, campaignId: string | null, accountId: string | null): Promise<LeadWithoutChat[]> {
    const rows = await this.db.query<Array<{ id: string; provider_id: string; account_id: string; unipile_account_id: string }>>(
      `SELECT l.id, l.provider_id, l.account_id, a.unipile_account_id
       FROM lead l JOIN linkedin_account a ON a.id = l.account_id
       WHERE l.workspace_id = $1 AND l.connected_at IS NOT NULL AND l.chat_id IS NULL AND l.provider_id IS NOT NULL
         AND ($2::uuid IS NULL OR l.campaign_id = $2) AND ($3::uuid IS NULL OR l.account_id = $3)
       ORDER BY l.account_id`,
      [workspaceId, campaignId, accountId],
    );
    return rows.map(toLeadWithoutChat);
  }

  /** Sets each lead's chat id, where it has none yet. */
  async setChatIds(chats: Array<{ leadId: string; chatId: string }>): Promise<void> {
    await this.db.query(`UPDATE lead l SET chat_id = f.chat FROM unnest($1::uuid[], $2::text[]) AS f(id, chat) WHERE l.id = f.id AND l.chat_id IS NULL`, [
      chats.map((c) => c.leadId),
      chats.map((c) => c.chatId),
    ]);
  }
}
