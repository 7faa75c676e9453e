import type { Clock } from '../../core/clock';
import type { Transactional, TransactionRunner } from '../../core/db/transaction';
import type { Logger } from '../../core/logger';
import { NotFoundError } from '../../core/errors';
import { AccountStatus, localDay } from '../accounts';
import type { Viewer } from '../../core/graphql/viewer';
import { EventSource, LeadEventType, LeadStatus } from '../leads';
import { type UnipileClient, UnipileError, UnipileMessenger } from '../unipile';
import { AdminError } from './admin.errors';
import type { ManualMessageResult } from './admin.types';
import type { ManualMessageRepository } from './manual-message.repository';

const NOT_CONTACTABLE = [LeadStatus.OPTED_OUT, LeadStatus.EXCLUDED];
// A send that failed with these codes may still have reached LinkedIn: its slot stays used.
const OUTCOME_UNKNOWN = ['TEMPORARY', 'UNEXPECTED_RESPONSE'];

/**
 * debugSendChat: an operator's message to a lead through the Unipile client, into the lead's chat
 * (or a new one). It takes a slot of the sender's daily message cap like any send, and is recorded
 * on the lead as a message_sent event with source `operator` (the text is never stored or logged).
 */
export class ManualMessageService {
  private readonly messenger: UnipileMessenger;

  constructor(
    private readonly db: TransactionRunner,
    private readonly store: Transactional<
      Pick<ManualMessageRepository, 'findLead' | 'lockAccount' | 'reserveMessageSlot' | 'releaseMessageSlot' | 'setChatIdIfNone' | 'insertEvents'>
    >,
    private readonly unipile: UnipileClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.messenger = new UnipileMessenger(unipile);
  }

  async send(viewer: Viewer, leadId: string, text: string): Promise<ManualMessageResult> {
    const { lead, account, day } = await this.db.transaction(async (em) => {
      const store = this.store.withManager(em);
      const lead = await store.findLead(viewer.workspaceId, leadId);
      if (!lead) throw new NotFoundError('Lead', leadId);
      if (NOT_CONTACTABLE.includes(lead.status)) throw new AdminError('LEAD_NOT_CONTACTABLE', `Lead ${leadId} is ${lead.status}`);
      if (!lead.accountId) throw new AdminError('NO_SENDER', `Lead ${leadId} has no sender account`);
      const account = await store.lockAccount(lead.accountId);
      if (!account) throw new AdminError('NO_SENDER', `Lead ${leadId} has no sender account`);
      if (account.status !== AccountStatus.ACTIVE) throw new AdminError('ACCOUNT_NOT_ACTIVE', `Sender account is ${account.status}`);
      const day = localDay(account.timezone, this.clock.now());
      if (await store.reserveMessageSlot(account, day)) {
        throw new AdminError('DAILY_CAP_REACHED', "The sender's daily message cap is used up");
      }
      return { lead, account, day };
    });

    let sent: { chatId: string | null; messageId: string | null; method: 'chat_message' | 'new_chat' };
    try {
      if (lead.chatId) {
        const result = await this.unipile.sendMessage(lead.chatId, text, { accountId: account.unipileAccountId });
        sent = { chatId: lead.chatId, messageId: result.message_id, method: 'chat_message' };
      } else {
        const recipient = lead.providerId ? { providerId: lead.providerId } : { publicIdentifier: lead.publicIdentifier! };
        const result = await this.messenger.sendMessageToMember(account.unipileAccountId, recipient, text);
        sent = { chatId: result.chatId, messageId: result.messageId, method: result.started ? 'new_chat' : 'chat_message' };
      }
    } catch (error) {
      if (!(error instanceof UnipileError)) throw error;
      if (!OUTCOME_UNKNOWN.includes(error.code)) await this.store.releaseMessageSlot(account.id, day);
      this.log.warn({ leadId, code: error.code }, 'manual message failed at Unipile');
      throw new AdminError('UNIPILE_ERROR', `Unipile refused the message: ${error.code}`, { unipileCode: error.code });
    }

    const now = this.clock.now();
    await this.db.transaction(async (em) => {
      const store = this.store.withManager(em);
      if (!lead.chatId && sent.chatId) await store.setChatIdIfNone(lead.id, sent.chatId);
      await store.insertEvents([
        {
          workspaceId: lead.workspaceId,
          campaignId: lead.campaignId,
          leadId: lead.id,
          linkedinAccountId: account.id,
          type: LeadEventType.MESSAGE_SENT,
          occurredAt: now,
          source: EventSource.OPERATOR,
          reason: 'MANUAL_MESSAGE',
          meta: {
            manual: true,
            linkedin_account_id: account.id,
            method: sent.method,
            chat_id: sent.chatId,
            by_user_id: viewer.userId,
            unipile_result: { message_id: sent.messageId },
          },
        },
      ]);
    });
    this.log.info({ leadId, accountId: account.id, method: sent.method }, 'manual message sent');
    return { leadId: lead.id, chatId: sent.chatId, messageId: sent.messageId, method: sent.method };
  }
}
