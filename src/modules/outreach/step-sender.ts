import { StepKind } from '../campaigns';
import type { UnipileClient, UnipileMessenger } from '../unipile';
import type { Attempt } from './step-attempt';

export type SendOutcome = {
  /** The Unipile invitation or message id. */
  unipileRef: string | null;
  providerId: string;
  chatId: string | null;
  method: 'invitation' | 'chat_message' | 'new_chat';
  /** The lead turned out to be a connection already: no invitation was sent. */
  alreadyConnected?: boolean;
};

/** The Unipile side of a step: send it, or find out whether an earlier attempt already did. */
export class StepSender {
  constructor(
    private readonly client: UnipileClient,
    private readonly messenger: UnipileMessenger,
  ) {}

  async send(attempt: Attempt): Promise<SendOutcome> {
    const { lead, account, step, text } = attempt;
    if (step.kind === StepKind.INVITE) {
      const profile = await this.profile(attempt);
      if (profile.connected) return { unipileRef: null, providerId: profile.providerId, chatId: null, method: 'invitation', alreadyConnected: true };
      const sent = await this.client.sendInvitation(account.unipileAccountId, { providerId: profile.providerId, message: text ?? undefined });
      return { unipileRef: sent.invitation_id, providerId: profile.providerId, chatId: null, method: 'invitation' };
    }
    if (lead.chatId && lead.providerId) {
      const sent = await this.client.sendMessage(lead.chatId, text!, { accountId: account.unipileAccountId });
      return { unipileRef: sent.message_id, providerId: lead.providerId, chatId: lead.chatId, method: 'chat_message' };
    }
    const recipient = lead.providerId ? { providerId: lead.providerId } : { publicIdentifier: lead.publicIdentifier! };
    const sent = await this.messenger.sendMessageToMember(account.unipileAccountId, recipient, text!);
    return { unipileRef: sent.messageId, providerId: sent.providerId, chatId: sent.chatId, method: sent.started ? 'new_chat' : 'chat_message' };
  }

  /**
   * Looks for the trace of an earlier attempt: an invitation to the member in the sent list, or
   * our message with this text in the chat since the lead's previous step went out.
   */
  async findDone(attempt: Attempt): Promise<SendOutcome | undefined> {
    const { lead, account, step, text } = attempt;
    const { providerId, connected } = await this.profile(attempt);
    if (step.kind === StepKind.INVITE) {
      const invitations = await this.client.listAllSentInvitations(account.unipileAccountId);
      const match = invitations.find(
        (i) => i.invited_user_id === providerId || (!!lead.publicIdentifier && i.invited_user_public_id?.toLowerCase() === lead.publicIdentifier),
      );
      if (match) return { unipileRef: match.id, providerId, chatId: null, method: 'invitation' };
      // Unipile lists pending invitations only: an accepted one is gone from the list. A connection
      // made since the lead was added (engine clock) is an earlier attempt's invitation, accepted.
      if (connected && (await this.connectedSince(account.unipileAccountId, providerId, lead.createdAt))) {
        return { unipileRef: null, providerId, chatId: null, method: 'invitation' };
      }
      return undefined;
    }
    const chatId = lead.chatId ?? (await this.client.findChatWithAttendee(account.unipileAccountId, providerId))?.id;
    if (!chatId) return undefined;
    // Bounded by the engine's clock (the previous step's send), not by the row's created_at: that is
    // the database's clock, which is not the one Unipile dates messages with (a virtual clock in
    // simulations; skewed in production), and a message missed here is sent a second time.
    const since = lead.lastStepSentAt;
    const messages = await this.client.listAllMessages(chatId, since ? { after: since.toISOString() } : {});
    const match = messages.find((m) => m.is_sender === 1 && m.text?.trim() === text?.trim());
    return match ? { unipileRef: match.id, providerId, chatId, method: 'chat_message' } : undefined;
  }

  /** Whether the member became a connection at or after `since` (relations come newest first). */
  private async connectedSince(accountId: string, providerId: string, since: Date): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await this.client.listRelations(accountId, { cursor, limit: 100 });
      for (const relation of page.items) {
        if (relation.created_at < since.getTime()) return false;
        if (relation.member_id === providerId) return true;
      }
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return false;
  }

  private async profile(attempt: Attempt): Promise<{ providerId: string; connected: boolean }> {
    const { lead, account, step } = attempt;
    // Only an invitation needs to know whether we are connected already (it costs a profile view).
    if (lead.providerId && step.kind !== StepKind.INVITE) return { providerId: lead.providerId, connected: false };
    const profile = await this.client.getProfile(
      account.unipileAccountId,
      lead.providerId ? { providerId: lead.providerId } : { publicIdentifier: lead.publicIdentifier! },
    );
    return { providerId: profile.provider_id, connected: profile.is_relationship === true || profile.network_distance === 'FIRST_DEGREE' };
  }
}
