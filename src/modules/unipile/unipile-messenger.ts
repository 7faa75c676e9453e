import type { UnipileClient } from './unipile.client';

export type MessageRecipient = { publicIdentifier: string } | { providerId: string };

export type MemberMessageResult = {
  /** The chat to persist on the lead; null only if Unipile started a chat without telling us its id. */
  chatId: string | null;
  messageId: string | null;
  /** The recipient's LinkedIn member id, resolved from the public identifier when needed. */
  providerId: string;
  /** True when no chat with this member existed and one was started. */
  started: boolean;
};

/**
 * The messaging flow: resolve the member id, post into the existing 1:1 chat if there is one
 * (searched over every page), otherwise start a chat. Each send happens at most once per call.
 */
export class UnipileMessenger {
  constructor(private readonly client: UnipileClient) {}

  async sendMessageToMember(accountId: string, recipient: MessageRecipient, text: string): Promise<MemberMessageResult> {
    const providerId =
      'providerId' in recipient ? recipient.providerId : (await this.client.getProfile(accountId, recipient)).provider_id;

    const existing = await this.client.findChatWithAttendee(accountId, providerId);
    if (existing) {
      const sent = await this.client.sendMessage(existing.id, text, { accountId });
      return { chatId: existing.id, messageId: sent.message_id, providerId, started: false };
    }

    const started = await this.client.startChat(accountId, { attendeeProviderIds: [providerId], text, api: 'classic' });
    // Unipile may answer chat_id null; the chat exists now, so look it up rather than send again.
    const chatId = started.chat_id ?? (await this.client.findChatWithAttendee(accountId, providerId))?.id ?? null;
    return { chatId, messageId: started.message_id, providerId, started: true };
  }
}
