import type { DataSource } from 'typeorm';
import type { UnipileClient } from '../unipile/unipile.client';
import type { RunProgress, SyncParams, SyncRunner } from './sync-progress';

type Missing = { id: string; provider_id: string; account_id: string; unipile_account_id: string };

/**
 * Connected leads without a chat id get the id of their 1:1 chat with their sender: one pass over
 * each account's chats (not one search per lead), then one update per account.
 */
export function conversationBackfillRunner(deps: { dataSource: DataSource; unipile: Pick<UnipileClient, 'listAllChats'> }): SyncRunner {
  return async (run, report) => {
    const params = run.params as SyncParams;
    const missing: Missing[] = await deps.dataSource.query(
      `SELECT l.id, l.provider_id, l.account_id, a.unipile_account_id
       FROM lead l JOIN linkedin_account a ON a.id = l.account_id
       WHERE l.workspace_id = $1 AND l.connected_at IS NOT NULL AND l.chat_id IS NULL AND l.provider_id IS NOT NULL
         AND ($2::uuid IS NULL OR l.campaign_id = $2) AND ($3::uuid IS NULL OR l.account_id = $3)
       ORDER BY l.account_id`,
      [run.workspaceId, params.campaignId ?? null, params.accountId ?? null],
    );
    const totals: RunProgress = { processed: 0, total: missing.length, matched: 0, unmatched: 0, details: { accounts: 0 } };
    const byAccount = new Map<string, Missing[]>();
    for (const lead of missing) byAccount.set(lead.unipile_account_id, [...(byAccount.get(lead.unipile_account_id) ?? []), lead]);

    for (const [unipileAccountId, leads] of byAccount) {
      const chats = await deps.unipile.listAllChats({ accountId: unipileAccountId });
      const chatOf = new Map(chats.filter((c) => c.type === 0 && c.attendee_provider_id).map((c) => [c.attendee_provider_id!, c.id]));
      const found = leads.flatMap((l) => (chatOf.has(l.provider_id) ? [{ id: l.id, chat: chatOf.get(l.provider_id)! }] : []));
      if (found.length > 0) {
        await deps.dataSource.query(
          `UPDATE lead l SET chat_id = f.chat FROM unnest($1::uuid[], $2::text[]) AS f(id, chat) WHERE l.id = f.id AND l.chat_id IS NULL`,
          [found.map((f) => f.id), found.map((f) => f.chat)],
        );
      }
      totals.processed += leads.length;
      totals.matched += found.length;
      totals.unmatched += leads.length - found.length;
      totals.details.accounts = (totals.details.accounts as number) + 1;
      await report(totals);
    }
    return totals;
  };
}
