// The sandbox's in-memory world: what LinkedIn and Unipile would hold. Plain data plus lookups;
// the rules live in sandbox-linkedin.ts.

export type AccountStatus = 'OK' | 'CREDENTIALS' | 'ERROR' | 'STOPPED' | 'CONNECTING';

export type SandboxProfile = {
  providerId: string;
  publicIdentifier: string;
  firstName: string;
  lastName: string;
  headline: string;
  location: string;
  memberNumber: string;
  networkDistance: 'SECOND_DEGREE' | 'THIRD_DEGREE' | 'OUT_OF_NETWORK';
  isOpenProfile: boolean;
  followerCount: number;
  connectionsCount: number;
  /** Overrides the sandbox-wide probabilities for this person. */
  acceptProbability?: number;
  replyProbability?: number;
};

export type SandboxAccount = {
  id: string;
  name: string;
  ownerProviderId: string;
  createdAt: Date;
  status: AccountStatus;
};

export type SandboxRelation = { accountId: string; providerId: string; connectionId: string; createdAt: Date };

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'WITHDRAWN';

export type SandboxInvitation = {
  id: string;
  accountId: string;
  providerId: string;
  message: string | null;
  sentAt: Date;
  status: InvitationStatus;
  resolvedAt?: Date;
  sharedSecret: string;
};

export type SandboxChat = {
  id: string;
  accountId: string;
  providerId: string;
  attendeeProviderId: string;
  createdAt: Date;
  lastActivityAt: Date;
  /** Orders chats active at the same instant (the clock may stand still in tests). */
  activitySeq: number;
  unreadCount: number;
  inmail: boolean;
};

export type SandboxMessage = {
  id: string;
  chatId: string;
  accountId: string;
  providerId: string;
  senderProviderId: string;
  text: string;
  sentAt: Date;
  isSender: boolean;
};

export type SandboxWebhook = {
  id: string;
  requestUrl: string;
  source: 'messaging' | 'users' | 'account_status';
  name: string;
  format: 'json' | 'form';
  /** null = every current and future account. */
  accountIds: string[] | null;
  enabled: boolean;
  headers: Array<{ key: string; value: string }>;
  events: string[];
  data?: Array<{ name: string; key: string }>;
};

/** Appends to the list kept under `key`. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const pair = (accountId: string, providerId: string) => `${accountId}/${providerId}`;

/**
 * Lists in creation order plus indexes by account and member: a simulation holds 100k members
 * and as many invitations and chats, so lookups must not scan them. Add through the add* methods.
 */
export class SandboxStore {
  readonly accounts = new Map<string, SandboxAccount>();
  readonly profiles = new Map<string, SandboxProfile>();
  private readonly profilesBySlug = new Map<string, SandboxProfile>();
  readonly relations: SandboxRelation[] = [];
  readonly invitations: SandboxInvitation[] = [];
  readonly chats = new Map<string, SandboxChat>();
  readonly messages: SandboxMessage[] = [];
  readonly webhooks = new Map<string, SandboxWebhook>();
  /** Attendee ids per (account, member), stable like Unipile's. */
  private readonly attendeeIds = new Map<string, string>();
  /** Profile views per account (timestamps), for the daily visit limit. */
  readonly profileViews = new Map<string, Date[]>();
  private readonly relationByPair = new Map<string, SandboxRelation>();
  private readonly relationsByAccount = new Map<string, SandboxRelation[]>();
  private readonly invitationById = new Map<string, SandboxInvitation>();
  private readonly latestInvitationByPair = new Map<string, SandboxInvitation>();
  private readonly invitationsByAccount = new Map<string, SandboxInvitation[]>();
  private readonly chatByPair = new Map<string, SandboxChat>();
  private readonly chatByThread = new Map<string, SandboxChat>();
  private readonly chatsByAccount = new Map<string, SandboxChat[]>();
  private readonly messagesByChat = new Map<string, SandboxMessage[]>();

  addProfile(profile: SandboxProfile): SandboxProfile {
    if (this.profiles.has(profile.providerId) || this.profilesBySlug.has(profile.publicIdentifier)) {
      throw new Error(`Profile ${profile.publicIdentifier} already exists`);
    }
    this.profiles.set(profile.providerId, profile);
    this.profilesBySlug.set(profile.publicIdentifier, profile);
    return profile;
  }

  addRelation(relation: SandboxRelation): void {
    this.relations.push(relation);
    this.relationByPair.set(pair(relation.accountId, relation.providerId), relation);
    push(this.relationsByAccount, relation.accountId, relation);
  }

  addInvitation(invitation: SandboxInvitation): void {
    this.invitations.push(invitation);
    this.invitationById.set(invitation.id, invitation);
    this.latestInvitationByPair.set(pair(invitation.accountId, invitation.providerId), invitation);
    push(this.invitationsByAccount, invitation.accountId, invitation);
  }

  addChat(chat: SandboxChat): void {
    this.chats.set(chat.id, chat);
    const key = pair(chat.accountId, chat.attendeeProviderId);
    if (!this.chatByPair.has(key)) this.chatByPair.set(key, chat); // the first one, as a scan would find
    const thread = pair(chat.accountId, chat.providerId);
    if (!this.chatByThread.has(thread)) this.chatByThread.set(thread, chat);
    push(this.chatsByAccount, chat.accountId, chat);
  }

  addMessage(message: SandboxMessage): void {
    this.messages.push(message);
    push(this.messagesByChat, message.chatId, message);
  }

  /** By member id or public slug, like `GET /users/{identifier}`. */
  findProfile(identifier: string): SandboxProfile | undefined {
    return this.profiles.get(identifier) ?? this.profilesBySlug.get(identifier);
  }

  owner(account: SandboxAccount): SandboxProfile {
    const profile = this.profiles.get(account.ownerProviderId);
    if (!profile) throw new Error(`Owner of account ${account.id} is missing`);
    return profile;
  }

  relationOf(accountId: string, providerId: string): SandboxRelation | undefined {
    return this.relationByPair.get(pair(accountId, providerId));
  }

  /** Connections of an account, most recently added first. */
  relationsOf(accountId: string): SandboxRelation[] {
    return [...(this.relationsByAccount.get(accountId) ?? [])].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  invitation(invitationId: string): SandboxInvitation | undefined {
    return this.invitationById.get(invitationId);
  }

  /** Invitations of an account, in the order they were sent. */
  invitationsOf(accountId: string): readonly SandboxInvitation[] {
    return this.invitationsByAccount.get(accountId) ?? [];
  }

  /** The most recent invitation from this account to this member, whatever its status. */
  latestInvitation(accountId: string, providerId: string): SandboxInvitation | undefined {
    return this.latestInvitationByPair.get(pair(accountId, providerId));
  }

  chatWith(accountId: string, providerId: string): SandboxChat | undefined {
    return this.chatByPair.get(pair(accountId, providerId));
  }

  /** By Unipile id, or by LinkedIn thread id within an account. */
  findChat(chatId: string, accountId?: string): SandboxChat | undefined {
    const direct = this.chats.get(chatId);
    if (direct) return direct;
    if (!accountId) return undefined;
    return this.chatByThread.get(pair(accountId, chatId));
  }

  /** Chats, most recent activity first. */
  chatsOf(accountIds: string[] | null): SandboxChat[] {
    const chats = accountIds === null ? [...this.chats.values()] : [...new Set(accountIds)].flatMap((id) => this.chatsByAccount.get(id) ?? []);
    return chats.sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || b.activitySeq - a.activitySeq);
  }

  /** Messages of a chat, newest first (later stored first among equal times). */
  messagesOf(chatId: string): SandboxMessage[] {
    return [...(this.messagesByChat.get(chatId) ?? [])].reverse().sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
  }

  private activity = 0;

  /** Marks a chat as the most recently active. */
  touch(chat: SandboxChat, at: Date): void {
    chat.lastActivityAt = at;
    chat.activitySeq = ++this.activity;
  }

  attendeeId(accountId: string, providerId: string, make: () => string): string {
    const key = `${accountId}/${providerId}`;
    let id = this.attendeeIds.get(key);
    if (!id) {
      id = make();
      this.attendeeIds.set(key, id);
    }
    return id;
  }
}
