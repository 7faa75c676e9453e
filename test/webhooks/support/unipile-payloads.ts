import { randomBytes } from 'node:crypto';

// Webhook bodies in Unipile's shapes (shared/reference/unipile-api.md §6.4–6.6): the live July 2026
// capture of message_received, the documented new_relation and the AccountStatus wrapper.

const unipileId = () => randomBytes(16).toString('base64url').slice(0, 22);

const attendee = (providerId: string, name: string) => ({
  attendee_id: unipileId(),
  attendee_provider_id: providerId,
  attendee_name: name,
  attendee_profile_url: `https://www.linkedin.com/in/${providerId}`,
  attendee_specifics: { provider: 'LINKEDIN', member_urn: 'urn:li:member:119375570', occupation: 'Founder', is_company: false, network_distance: 'DISTANCE_1' },
  attendee_public_identifier: null,
});

export function messageReceived(input: {
  accountId: string;
  ownerProviderId: string;
  senderProviderId: string;
  chatId?: string;
  messageId?: string;
  text?: string;
  timestamp?: string;
}) {
  const own = input.senderProviderId === input.ownerProviderId;
  return {
    event: 'message_received',
    account_id: input.accountId,
    account_type: 'LINKEDIN',
    account_info: { type: 'LINKEDIN', feature: 'classic', user_id: input.ownerProviderId },
    webhook_name: 'linkedin-outreach-messaging',
    chat_id: input.chatId ?? unipileId(),
    attendees: [attendee(input.senderProviderId, 'Jane Doe')],
    sender: attendee(input.senderProviderId, own ? 'Account Owner' : 'Jane Doe'),
    subject: null,
    message: input.text ?? 'Thanks for reaching out!',
    message_id: input.messageId ?? unipileId(),
    timestamp: input.timestamp ?? new Date().toISOString(),
    attachments: [],
    is_sender: own,
    provider_chat_id: `2-${unipileId()}`,
    provider_message_id: `2-${unipileId()}`,
    is_event: 0,
    chat_pinned: 0,
    quoted: null,
    reply_to: null,
    is_forwarded: null,
    chat_content_type: null,
    message_type: 'MESSAGE',
    is_group: false,
    folder: ['INBOX', 'INBOX_LINKEDIN_CLASSIC'],
    event_type: null,
  };
}

export function newRelation(input: { accountId: string; providerId: string; publicIdentifier?: string | null }) {
  return {
    event: 'new_relation',
    account_id: input.accountId,
    account_type: 'LINKEDIN',
    webhook_name: 'linkedin-outreach-users',
    user_full_name: 'Julien Crépieux',
    user_provider_id: input.providerId,
    user_public_identifier: input.publicIdentifier ?? null,
    user_profile_url: `https://www.linkedin.com/in/${input.publicIdentifier ?? input.providerId}/`,
    user_picture_url: 'https://media.licdn.com/dms/image/picture.jpg',
  };
}

export function accountStatus(accountId: string, message: string) {
  return { AccountStatus: { account_id: accountId, account_type: 'LINKEDIN', message } };
}

export type PostResult = { status: number; body: Record<string, unknown> };

/** POSTs like Unipile: a byte body, only the headers the registration asked for (no content type by default). */
export async function postWebhook(baseUrl: string, route: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  const res = await fetch(`${baseUrl}/api/webhooks/unipile/${route}`, {
    method: 'POST',
    headers,
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
