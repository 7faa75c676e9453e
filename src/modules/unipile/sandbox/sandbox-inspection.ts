import type { SandboxStore } from './sandbox-store';
import { fullName } from './sandbox-views';

// What was sent, when, to whom: the admin view tests and demos assert on.

export type InvitationRecord = {
  invitationId: string;
  accountId: string;
  toProviderId: string;
  toPublicIdentifier?: string;
  toName?: string;
  note: string | null;
  sentAt: string;
  status: string;
  resolvedAt?: string;
};

export type MessageRecord = {
  messageId: string;
  chatId: string;
  accountId: string;
  direction: 'outbound' | 'inbound';
  counterpartProviderId: string;
  counterpartName?: string;
  text: string;
  sentAt: string;
};

export function invitationRecords(store: SandboxStore, accountId?: string): InvitationRecord[] {
  return store.invitations
    .filter((i) => !accountId || i.accountId === accountId)
    .map((i) => {
      const to = store.profiles.get(i.providerId);
      return {
        invitationId: i.id,
        accountId: i.accountId,
        toProviderId: i.providerId,
        toPublicIdentifier: to?.publicIdentifier,
        toName: to ? fullName(to) : undefined,
        note: i.message,
        sentAt: i.sentAt.toISOString(),
        status: i.status,
        ...(i.resolvedAt ? { resolvedAt: i.resolvedAt.toISOString() } : {}),
      };
    });
}

/** Messages in the order they happened; outbound = sent by the account. */
export function messageRecords(store: SandboxStore, filter: { accountId?: string; direction?: MessageRecord['direction'] } = {}): MessageRecord[] {
  return store.messages
    .map((m): MessageRecord => {
      const chat = store.chats.get(m.chatId);
      const counterpart = chat ? store.profiles.get(chat.attendeeProviderId) : undefined;
      return {
        messageId: m.id,
        chatId: m.chatId,
        accountId: m.accountId,
        direction: m.isSender ? 'outbound' : 'inbound',
        counterpartProviderId: chat?.attendeeProviderId ?? m.senderProviderId,
        counterpartName: counterpart ? fullName(counterpart) : undefined,
        text: m.text,
        sentAt: m.sentAt.toISOString(),
      };
    })
    .filter((m) => (!filter.accountId || m.accountId === filter.accountId) && (!filter.direction || m.direction === filter.direction));
}
