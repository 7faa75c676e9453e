import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { AccountStatus, type LinkedInAccount } from '../accounts';
import { EventSource, type LeadProgressService } from '../leads';
import type { UnipileClient } from '../unipile';
import { announceReply, type ReplyListener } from '../webhooks';
import type { ReconcileStateRepository } from './reconcile-state.repository';
import type { SyncAccountsRepository } from './sync-accounts.repository';
import type { SyncLeadsRepository } from './sync-leads.repository';

const HOUR_MS = 3_600_000;
/** Conversations are re-read this far before the previous poll: late-indexed messages are not missed. */
const OVERLAP_MS = HOUR_MS;
/** The first poll of an account looks back this far. */
const FIRST_LOOKBACK_MS = 14 * 24 * HOUR_MS;
/** Relations are newest first; past this margin before the oldest pending invite, none can be an acceptance. */
const RELATION_MARGIN_MS = 24 * HOUR_MS;
const MAX_RELATION_PAGES = 10;

export type ReconcileResult = { accountId: string; acceptances: number; replies: number; skipped?: string };

/**
 * The webhooks' safety net, per ACTIVE sender: acceptances (relations newer than the oldest
 * pending invite) and replies (messages in conversations with leads since the last poll) that no
 * webhook reported are recorded with source `poll`. Lead progress is idempotent (acceptance per
 * lead status, reply per message id), so whatever both paths see is recorded once.
 */
export class ReconcileService {
  private readonly log: Logger;

  constructor(
    private readonly state: ReconcileStateRepository,
    private readonly accounts: SyncAccountsRepository,
    private readonly leads: SyncLeadsRepository,
    private readonly unipile: Pick<UnipileClient, 'listRelations' | 'listChats' | 'listAllMessages'>,
    private readonly progress: LeadProgressService,
    private readonly clock: Clock,
    log: Logger,
    private readonly onReply?: ReplyListener,
    /** Acceptances found here may make leads due at once (their message's delay passed): wakes the engine's scan, as a webhook's does. */
    private readonly onLeadsDue?: () => void,
  ) {
    this.log = log.child({ module: 'sync' });
  }

  /** The accounts a recurring poll covers. */
  activeAccountIds(): Promise<string[]> {
    return this.accounts.activeAccountIds();
  }

  async reconcileAccount(accountId: string): Promise<ReconcileResult> {
    const account = await this.accounts.findAccount(accountId);
    if (!account || account.status !== AccountStatus.ACTIVE) return { accountId, acceptances: 0, replies: 0, skipped: 'NOT_ACTIVE' };
    const startedAt = this.clock.now();
    const checkedAt = await this.state.checkedAt(accountId);
    const since = new Date(checkedAt ? checkedAt.getTime() - OVERLAP_MS : startedAt.getTime() - FIRST_LOOKBACK_MS);

    const acceptances = await this.acceptances(account);
    if (acceptances > 0) this.onLeadsDue?.();
    const replies = await this.replies(account, since);
    await this.state.saveCheckedAt(accountId, startedAt);
    if (acceptances + replies > 0) this.log.info({ accountId, acceptances, replies }, 'reconciliation found what webhooks missed');
    return { accountId, acceptances, replies };
  }

  private async acceptances(account: LinkedInAccount): Promise<number> {
    const invited = await this.leads.invitedLeads(account.id);
    if (invited.length === 0) return 0;
    const providerIds = new Set(invited.flatMap((l) => (l.providerId ? [l.providerId] : [])));
    const publicIds = new Set(invited.flatMap((l) => (l.publicIdentifier ? [l.publicIdentifier] : [])));
    const oldest = Math.min(...invited.map((l) => l.inviteSentAt?.getTime() ?? 0)) - RELATION_MARGIN_MS;

    let found = 0;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_RELATION_PAGES; page++) {
      const relations = await this.unipile.listRelations(account.unipileAccountId, { cursor, limit: 200 });
      for (const relation of relations.items) {
        const publicIdentifier = relation.public_identifier?.toLowerCase() ?? null;
        if (!providerIds.has(relation.member_id) && !(publicIdentifier && publicIds.has(publicIdentifier))) continue;
        const leads = await this.progress.markConnected({
          accountId: account.id,
          providerId: relation.member_id,
          publicIdentifier,
          occurredAt: new Date(relation.created_at),
          source: EventSource.POLL,
        });
        found += leads.length;
      }
      const last = relations.items.at(-1);
      cursor = relations.cursor ?? undefined;
      if (!cursor || !last || last.created_at < oldest) break;
    }
    return found;
  }

  private async replies(account: LinkedInAccount, since: Date): Promise<number> {
    let found = 0;
    let cursor: string | undefined;
    do {
      const page = await this.unipile.listChats({ accountId: account.unipileAccountId, after: since.toISOString(), cursor, limit: 100 });
      cursor = page.cursor ?? undefined;
      const chats = page.items.filter((c) => c.type === 0);
      if (chats.length === 0) continue;
      const leads = await this.leads.leadsInChats(
        account.id,
        chats.map((c) => c.id),
        chats.flatMap((c) => (c.attendee_provider_id ? [c.attendee_provider_id] : [])),
      );
      const known = new Set(leads.flatMap((l) => [l.chatId, l.providerId]).filter((v): v is string => v !== null));
      for (const chat of chats.filter((c) => known.has(c.id) || (c.attendee_provider_id && known.has(c.attendee_provider_id)))) {
        const messages = await this.unipile.listAllMessages(chat.id, { after: since.toISOString() });
        for (const message of messages) {
          if (message.is_sender === 1 || message.sender_id === account.ownerProviderId) continue;
          const reply = {
            accountId: account.id,
            providerId: message.sender_id,
            chatId: chat.id,
            messageId: message.id,
            text: message.text,
            occurredAt: new Date(message.timestamp),
            source: EventSource.POLL,
          };
          const result = await this.progress.markReplied(reply);
          await announceReply(this.onReply, this.log, result, reply);
          if (result && !result.duplicate) found++;
        }
      }
    } while (cursor);
    return found;
  }
}
