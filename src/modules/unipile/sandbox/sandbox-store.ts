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

  addProfile(profile: SandboxProfile): SandboxProfile {
    if (this.profiles.has(profile.providerId) || this.profilesBySlug.has(profile.publicIdentifier)) {
      throw new Error(`Profile ${profile.publicIdentifier} already exists`);
    }
    this.profiles.set(profile.providerId, profile);
    this.profilesBySlug.set(profile.publicIdentifier, profile);
    return profile;
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
    return this.relations.find((r) => r.accountId === accountId && r.providerId === providerId);
  }

  /** Connections of an account, most recently added first. */
  relationsOf(accountId: string): SandboxRelation[] {
    return this.relations.filter((r) => r.accountId === accountId).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** The most recent invitation from this account to this member, whatever its status. */
  latestInvitation(accountId: string, providerId: string): SandboxInvitation | undefined {
    for (let i = this.invitations.length - 1; i >= 0; i--) {
      const inv = this.invitations[i];
      if (inv.accountId === accountId && inv.providerId === providerId) return inv;
    }
    return undefined;
  }

  chatWith(accountId: string, providerId: string): SandboxChat | undefined {
    for (const chat of this.chats.values()) {
      if (chat.accountId === accountId && chat.attendeeProviderId === providerId) return chat;
    }
    return undefined;
  }

  /** By Unipile id, or by LinkedIn thread id within an account. */
  findChat(chatId: string, accountId?: string): SandboxChat | undefined {
    const direct = this.chats.get(chatId);
    if (direct) return direct;
    if (!accountId) return undefined;
    for (const chat of this.chats.values()) if (chat.accountId === accountId && chat.providerId === chatId) return chat;
    return undefined;
  }

  /** Chats, most recent activity first. */
  chatsOf(accountIds: string[] | null): SandboxChat[] {
    return [...this.chats.values()]
      .filter((c) => accountIds === null || accountIds.includes(c.accountId))
      .sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || b.activitySeq - a.activitySeq);
  }

  /** Messages of a chat, newest first (later stored first among equal times). */
  messagesOf(chatId: string): SandboxMessage[] {
    return this.messages
      .filter((m) => m.chatId === chatId)
      .reverse()
      .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
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
