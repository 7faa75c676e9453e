import type { SandboxAccount, SandboxChat, SandboxMessage, SandboxProfile } from './sandbox-store';
import { fullName, pictureUrl, profileUrl } from './sandbox-views';

// Webhook bodies in the shapes Unipile delivers (the live July 2026 capture is the model for
// message_received). Booleans here where REST has 0/1; the text is `message`, not `text`.

type Attendee = { profile: SandboxProfile; attendeeId: string; isSelf: boolean };

function attendeeView({ profile, attendeeId, isSelf }: Attendee) {
  return {
    attendee_id: attendeeId,
    attendee_provider_id: profile.providerId,
    attendee_name: fullName(profile),
    attendee_profile_url: `https://www.linkedin.com/in/${profile.providerId}`,
    attendee_specifics: {
      provider: 'LINKEDIN',
      member_urn: `urn:li:member:${profile.memberNumber}`,
      occupation: profile.headline,
      is_company: false,
      network_distance: isSelf ? 'SELF' : 'DISTANCE_1',
    },
    attendee_public_identifier: null,
  };
}

export function messageReceivedPayload(input: {
  account: SandboxAccount;
  chat: SandboxChat;
  message: SandboxMessage;
  sender: Attendee;
  other: Attendee;
}) {
  const { account, chat, message, sender, other } = input;
  return {
    event: 'message_received',
    account_id: account.id,
    account_type: 'LINKEDIN',
    account_info: { type: 'LINKEDIN', feature: 'classic', user_id: account.ownerProviderId },
    chat_id: chat.id,
    attendees: [attendeeView(other)],
    sender: attendeeView(sender),
    subject: null,
    message: message.text,
    message_id: message.id,
    timestamp: message.sentAt.toISOString(),
    attachments: [],
    is_sender: message.isSender,
    provider_chat_id: chat.providerId,
    provider_message_id: message.providerId,
    is_event: 0,
    chat_pinned: 0,
    quoted: null,
    reply_to: null,
    is_forwarded: null,
    chat_content_type: chat.inmail ? 'inmail' : null,
    message_type: chat.inmail ? 'INMAIL' : 'MESSAGE',
    is_group: false,
    folder: ['INBOX', 'INBOX_LINKEDIN_CLASSIC'],
    event_type: null,
  };
}

export function newRelationPayload(account: SandboxAccount, profile: SandboxProfile) {
  return {
    event: 'new_relation',
    account_id: account.id,
    account_type: 'LINKEDIN',
    user_full_name: fullName(profile),
    user_provider_id: profile.providerId,
    user_public_identifier: profile.publicIdentifier,
    user_profile_url: profileUrl(profile),
    user_picture_url: pictureUrl(profile),
  };
}

/** Wrapped under `AccountStatus`, with no `event` field, exactly as Unipile sends it. */
export function accountStatusPayload(account: SandboxAccount, message: string) {
  return { AccountStatus: { account_id: account.id, account_type: 'LINKEDIN', message } };
}
