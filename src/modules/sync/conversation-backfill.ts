import type { UnipileClient } from '../unipile';
import type { RunProgress, SyncParams, SyncRunner } from './sync-progress';
import type { LeadWithoutChat, SyncLeadsRepository } from './sync-leads.repository';

/**
 * Connected leads without a chat id get the id of their 1:1 chat with their sender: one pass over
 * each account's chats (not one search per lead), then one update per account.
 */
export function conversationBackfillRunner(deps: { leads: SyncLeadsRepository; unipile: Pick<UnipileClient, 'listAllChats'> }): SyncRunner {
  return async (run, report) => {
    const params = run.params as SyncParams;
    const missing = await deps.leads.leadsWithoutChat(run.workspaceId, params.campaignId ?? null, params.accountId ?? null);
    const totals: RunProgress = { processed: 0, total: missing.length, matched: 0, unmatched: 0, details: { accounts: 0 } };
    const byAccount = new Map<string, LeadWithoutChat[]>();
    for (const lead of missing) byAccount.set(lead.unipileAccountId, [...(byAccount.get(lead.unipileAccountId) ?? []), lead]);

    for (const [unipileAccountId, leads] of byAccount) {
      const chats = await deps.unipile.listAllChats({ accountId: unipileAccountId });
      const chatOf = new Map(chats.filter((c) => c.type === 0 && c.attendee_provider_id).map((c) => [c.attendee_provider_id!, c.id]));
      const found = leads.flatMap((l) => (chatOf.has(l.providerId) ? [{ leadId: l.id, chatId: chatOf.get(l.providerId)! }] : []));
      if (found.length > 0) await deps.leads.setChatIds(found);
      totals.processed += leads.length;
      totals.matched += found.length;
      totals.unmatched += leads.length - found.length;
      totals.details.accounts = (totals.details.accounts as number) + 1;
      await report(totals);
    }
    return totals;
  };
}
