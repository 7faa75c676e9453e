import type {
  SandboxAccount,
  SandboxChat,
  SandboxInvitation,
  SandboxMessage,
  SandboxProfile,
  SandboxRelation,
  SandboxStore,
  SandboxWebhook,
} from './sandbox-store';

// REST bodies, in Unipile's field names and types (flags are 0/1 integers on REST).

const DAY = 86_400_000;

export const profileUrl = (p: SandboxProfile) => `https://www.linkedin.com/in/${p.publicIdentifier}/`;
export const pictureUrl = (p: SandboxProfile) => `https://media.licdn.com/dms/image/sandbox/${p.providerId}/profile.jpg`;
export const fullName = (p: SandboxProfile) => `${p.firstName} ${p.lastName}`;

export function accountView(account: SandboxAccount, store: SandboxStore) {
  const owner = store.owner(account);
  return {
    object: 'Account',
    type: 'LINKEDIN',
    id: account.id,
    name: account.name,
    created_at: account.createdAt.toISOString(),
    connection_params: {
      im: {
        id: owner.providerId,
        publicIdentifier: owner.publicIdentifier,
        username: fullName(owner),
        connection_method: 'credentials',
        premiumId: null,
        premiumFeatures: [],
        premiumContractId: null,
        organizations: [],
        proxy: { country: 'FR' },
      },
    },
    sources: [{ id: `${account.id}_MESSAGING`, status: account.status }],
    groups: [],
  };
}

export function statusCounts(accounts: SandboxAccount[]) {
  const counts: Record<string, number> = { OK: 0, CONNECTING: 0, CREDENTIALS: 0, STOPPED: 0 };
  for (const a of accounts) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/** A member as seen from one account (relationship and invitation state are per viewer). */
export function profileView(profile: SandboxProfile, viewer: SandboxAccount, store: SandboxStore) {
  const isSelf = profile.providerId === viewer.ownerProviderId;
  const connected = store.relationOf(viewer.id, profile.providerId) !== undefined;
  const invitation = store.latestInvitation(viewer.id, profile.providerId);
  return {
    object: 'UserProfile',
    provider: 'LINKEDIN',
    provider_id: profile.providerId,
    public_identifier: profile.publicIdentifier,
    first_name: profile.firstName,
    last_name: profile.lastName,
    headline: profile.headline,
    location: profile.location,
    profile_picture_url: pictureUrl(profile),
    public_profile_url: profileUrl(profile),
    member_urn: profile.memberNumber,
    is_relationship: connected,
    network_distance: connected ? 'FIRST_DEGREE' : profile.networkDistance,
    ...(invitation && invitation.status !== 'ACCEPTED' ? { invitation: { type: 'SENT', status: invitation.status } } : {}),
    is_self: isSelf,
    is_premium: false,
    is_open_profile: profile.isOpenProfile,
    follower_count: profile.followerCount,
    connections_count: profile.connectionsCount,
    websites: [],
  };
}

export function ownProfileView(owner: SandboxProfile) {
  return {
    object: 'AccountOwnerProfile',
    provider: 'LINKEDIN',
    provider_id: owner.providerId,
    entity_urn: `urn:li:fsd_profile:${owner.providerId}`,
    object_urn: `urn:li:member:${owner.memberNumber}`,
    first_name: owner.firstName,
    last_name: owner.lastName,
    profile_picture_url: null,
    public_profile_url: profileUrl(owner),
    public_identifier: owner.publicIdentifier,
    headline: owner.headline,
    location: owner.location,
    email: `${owner.publicIdentifier}@example.com`,
    premium: false,
    open_profile: false,
    occupation: owner.headline,
    recruiter: null,
    sales_navigator: null,
  };
}

export function relationView(relation: SandboxRelation, profile: SandboxProfile) {
  return {
    object: 'UserRelation',
    first_name: profile.firstName,
    last_name: profile.lastName,
    headline: profile.headline,
    public_identifier: profile.publicIdentifier,
    public_profile_url: profileUrl(profile),
    created_at: relation.createdAt.getTime(),
    member_id: profile.providerId,
    member_urn: `urn:li:fsd_profile:${profile.providerId}`,
    connection_urn: `urn:li:fsd_connection:${relation.connectionId}`,
    profile_picture_url: pictureUrl(profile),
  };
}

export function sentInvitationView(inv: SandboxInvitation, invitee: SandboxProfile, inviter: SandboxProfile, now: Date) {
  return {
    object: 'InvitationSent',
    id: inv.id,
    date: humanAge(inv.sentAt, now),
    parsed_datetime: inv.sentAt.toISOString(),
    invitation_text: inv.message,
    invited_user: fullName(invitee),
    invited_user_id: invitee.providerId,
    invited_user_public_id: invitee.publicIdentifier,
    invited_user_description: invitee.headline,
    invited_user_profile_picture_url: pictureUrl(invitee),
    inviter: {
      inviter_name: fullName(inviter),
      inviter_id: inviter.providerId,
      inviter_public_identifier: inviter.publicIdentifier,
      inviter_description: inviter.headline,
    },
    specifics: { provider: 'LINKEDIN', shared_secret: inv.sharedSecret },
  };
}

export function chatView(chat: SandboxChat) {
  return {
    object: 'Chat',
    id: chat.id,
    account_id: chat.accountId,
    account_type: 'LINKEDIN',
    provider_id: chat.providerId,
    attendee_provider_id: chat.attendeeProviderId,
    name: null,
    type: 0,
    timestamp: chat.lastActivityAt.toISOString(),
    unread_count: chat.unreadCount,
    unread: chat.unreadCount > 0 ? 1 : 0,
    archived: 0,
    muted_until: null,
    read_only: 0,
    pinned: 0,
    disabledFeatures: [],
    folder: ['INBOX', 'INBOX_LINKEDIN_CLASSIC'],
    ...(chat.inmail ? { content_type: 'inmail' } : {}),
  };
}

export function messageView(message: SandboxMessage, chat: SandboxChat, senderAttendeeId: string) {
  return {
    object: 'Message',
    id: message.id,
    account_id: message.accountId,
    chat_id: message.chatId,
    chat_provider_id: chat.providerId,
    provider_id: message.providerId,
    sender_id: message.senderProviderId,
    sender_attendee_id: senderAttendeeId,
    text: message.text,
    attachments: [],
    reactions: [],
    timestamp: message.sentAt.toISOString(),
    is_sender: message.isSender ? 1 : 0,
    seen: 0,
    seen_by: {},
    delivered: 1,
    edited: 0,
    deleted: 0,
    hidden: 0,
    is_event: 0,
    behavior: null,
    subject: null,
    message_type: chat.inmail ? 'INMAIL' : 'MESSAGE',
    attendee_type: 'MEMBER',
    attendee_distance: 1,
    quoted: null,
  };
}

export function webhookView(hook: SandboxWebhook, store: SandboxStore) {
  const ids = hook.accountIds ?? [];
  return {
    object: 'Webhook',
    id: hook.id,
    type: 'AUTO',
    account_ids: ids.map((id) => ({ id, name: store.accounts.get(id)?.name ?? null, type: 'LINKEDIN' })),
    enabled: hook.enabled,
    name: hook.name,
    request_url: hook.requestUrl,
    format: hook.format,
    headers: hook.headers,
    ...(hook.data ? { data: hook.data } : {}),
    events: hook.events,
    source: hook.source,
  };
}

/** LinkedIn's human-readable "Sent 3 days ago". */
function humanAge(sentAt: Date, now: Date): string {
  const days = Math.floor((now.getTime() - sentAt.getTime()) / DAY);
  if (days < 1) return 'Sent today';
  if (days < 7) return `Sent ${days} day${days === 1 ? '' : 's'} ago`;
  if (days < 30) return `Sent ${Math.floor(days / 7)} week${days < 14 ? '' : 's'} ago`;
  const months = Math.floor(days / 30);
  return `Sent ${months} month${months === 1 ? '' : 's'} ago`;
}
