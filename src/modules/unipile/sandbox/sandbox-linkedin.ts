import type { Clock } from '../../../core/clock';
import type { Logger } from '../../../core/logger';
import { sandboxErrors } from './sandbox-errors';
import { assertInviteAllowed, recordProfileView, usageLanding } from './sandbox-limits';
import type { ResolvedSandboxOptions } from './sandbox-options';
import { accountStatusPayload, messageReceivedPayload, newRelationPayload } from './sandbox-payloads';
import { generateProfile, type ProfileSeed, REPLY_TEXTS } from './sandbox-profiles';
import type { SeededRandom } from './sandbox-random';
import type { EventQueue } from '../../../core/time/event-queue';
import type {
  AccountStatus,
  SandboxAccount,
  SandboxChat,
  SandboxInvitation,
  SandboxMessage,
  SandboxProfile,
  SandboxRelation,
  SandboxStore,
} from './sandbox-store';
import type { WebhookDispatcher } from './sandbox-webhooks';
import { INVITATION_NOTE_MAX_LENGTH } from '../../../core/linkedin-limits';

/** LinkedIn refuses longer messages. */
const MESSAGE_MAX_LENGTH = 8_000;

export type SimulationDeps = {
  store: SandboxStore;
  scheduler: EventQueue;
  webhooks: WebhookDispatcher;
  clock: Clock;
  options: ResolvedSandboxOptions;
  /** Decisions and delays. */
  rng: SeededRandom;
  /** Ids of things created while running. */
  ids: SeededRandom;
  /** People. */
  people: SeededRandom;
  log?: Logger;
};

/**
 * The rules of the fake LinkedIn behind the fake Unipile: who may be invited, who accepts and
 * replies and when, and which webhooks each change produces.
 */
export class LinkedInSimulation {
  private readonly pendingAcceptances = new Map<string, number>();
  private readonly pendingReplies = new Map<string, number>();

  constructor(private readonly d: SimulationDeps) {}

  private get now(): Date {
    return this.d.clock.now();
  }

  // ── world building ─────────────────────────────────────────────────────────

  createProfile(seed: ProfileSeed = {}): SandboxProfile {
    return this.d.store.addProfile(generateProfile(this.d.people, seed));
  }

  createAccount(input: { id?: string; name?: string } = {}): SandboxAccount {
    const owner = this.createProfile();
    const account: SandboxAccount = {
      id: input.id ?? this.d.ids.unipileId(),
      name: input.name ?? `${owner.firstName} ${owner.lastName}`,
      ownerProviderId: owner.providerId,
      createdAt: this.now,
      status: 'OK',
    };
    if (this.d.store.accounts.has(account.id)) throw new Error(`Account ${account.id} already exists`);
    this.d.store.accounts.set(account.id, account);
    this.d.webhooks.emit({ source: 'account_status', event: 'CREATION_SUCCESS', accountId: account.id, payload: accountStatusPayload(account, 'CREATION_SUCCESS') });
    return account;
  }

  /** Makes a member a 1st-degree connection of the account, with no webhook (history, not news). */
  connect(accountId: string, providerId: string, at: Date = this.now): SandboxRelation {
    this.requireAccount(accountId);
    if (!this.d.store.profiles.has(providerId)) throw sandboxErrors.invalidRecipient();
    const existing = this.d.store.relationOf(accountId, providerId);
    if (existing) return existing;
    const relation = { accountId, providerId, connectionId: this.d.ids.digits(10), createdAt: at };
    this.d.store.addRelation(relation);
    return relation;
  }

  /** Members that are nobody's account owner: the people campaigns reach. */
  prospects(): SandboxProfile[] {
    const owners = new Set([...this.d.store.accounts.values()].map((a) => a.ownerProviderId));
    return [...this.d.store.profiles.values()].filter((p) => !owners.has(p.providerId));
  }

  setAccountStatus(accountId: string, status: AccountStatus): SandboxAccount {
    const account = this.requireAccount(accountId);
    if (account.status === status) return account; // Unipile reports transitions only
    account.status = status;
    this.d.webhooks.emit({ source: 'account_status', event: status, accountId, payload: accountStatusPayload(account, status) });
    return account;
  }

  // ── guards shared by the routes ─────────────────────────────────────────────

  requireAccount(accountId: string | undefined): SandboxAccount {
    if (!accountId) throw sandboxErrors.missingParameters('account_id is required');
    const account = this.d.store.accounts.get(accountId);
    if (!account) throw sandboxErrors.invalidAccount(accountId);
    return account;
  }

  /** Sends need a connected account; reads keep working on the last synced data. */
  requireActive(accountId: string | undefined): SandboxAccount {
    const account = this.requireAccount(accountId);
    if (account.status !== 'OK') throw sandboxErrors.disconnectedAccount();
    return account;
  }

  // ── profiles ───────────────────────────────────────────────────────────────

  viewProfile(accountId: string | undefined, identifier: string): { account: SandboxAccount; profile: SandboxProfile } {
    const account = this.requireAccount(accountId);
    const profile = this.d.store.findProfile(identifier);
    if (!profile) throw sandboxErrors.notFound(`Profile ${identifier}`);
    recordProfileView(this.d.store, account.id, this.now, this.d.options.limits);
    return { account, profile };
  }

  // ── invitations ────────────────────────────────────────────────────────────

  sendInvitation(accountId: string | undefined, providerId: string | undefined, message: string | undefined): { invitation: SandboxInvitation; usage?: number } {
    if (!providerId) throw sandboxErrors.missingParameters('provider_id is required');
    if (message !== undefined && message.length > INVITATION_NOTE_MAX_LENGTH) throw sandboxErrors.tooManyCharacters();
    const account = this.requireActive(accountId);
    // Only the member id works here, not the public slug.
    const profile = this.d.store.profiles.get(providerId);
    if (!profile || profile.providerId === account.ownerProviderId) throw sandboxErrors.invalidRecipient();
    if (this.d.store.relationOf(account.id, providerId)) throw sandboxErrors.cannotInviteAttendee();
    const previous = this.d.store.latestInvitation(account.id, providerId);
    if (previous?.status === 'PENDING') throw sandboxErrors.alreadyInvitedRecently();
    if (previous?.status === 'WITHDRAWN' && previous.resolvedAt && this.now.getTime() - previous.resolvedAt.getTime() < this.d.options.limits.reinviteCooldownMs) {
      throw sandboxErrors.alreadyInvitedRecently();
    }
    assertInviteAllowed(this.d.store, account.id, this.now, this.d.options.limits);

    const invitation: SandboxInvitation = {
      id: this.d.ids.digits(19),
      accountId: account.id,
      providerId,
      message: message ?? null,
      sentAt: this.now,
      status: 'PENDING',
      sharedSecret: this.d.ids.unipileId(),
    };
    this.d.store.addInvitation(invitation);
    const p = profile.acceptProbability ?? this.d.options.acceptance.probability;
    if (this.d.rng.chance(p)) {
      const delay = this.d.rng.between(this.d.options.acceptance.delayMs);
      const eventId = this.d.scheduler.after(delay, `accept invitation ${invitation.id}`, () => this.acceptInvitation(invitation.id));
      this.pendingAcceptances.set(invitation.id, eventId);
    }
    return { invitation, usage: usageLanding(this.d.store, account.id, this.now, this.d.options.limits) };
  }

  cancelInvitation(accountId: string | undefined, invitationId: string): void {
    const account = this.requireActive(accountId);
    const invitation = this.d.store.invitation(invitationId);
    if (!invitation || invitation.accountId !== account.id || invitation.status !== 'PENDING') throw sandboxErrors.notFound(`Invitation ${invitationId}`);
    invitation.status = 'WITHDRAWN';
    invitation.resolvedAt = this.now;
    this.cancelPending(this.pendingAcceptances, invitation.id);
  }

  /** The invitee accepts: a relation, the note's chat if there was a note, and the webhooks. */
  acceptInvitation(invitationId: string): SandboxInvitation {
    const invitation = this.d.store.invitation(invitationId);
    if (!invitation || invitation.status !== 'PENDING') throw sandboxErrors.notFound(`Pending invitation ${invitationId}`);
    this.cancelPending(this.pendingAcceptances, invitation.id);
    const account = this.requireAccount(invitation.accountId);
    invitation.status = 'ACCEPTED';
    invitation.resolvedAt = this.now;
    this.connect(account.id, invitation.providerId);
    if (invitation.message) {
      // LinkedIn turns the note into a chat holding only that note, sent by us.
      const chat = this.d.store.chatWith(account.id, invitation.providerId) ?? this.openChat(account, invitation.providerId, false);
      this.appendMessage(account, chat, account.ownerProviderId, invitation.message, { sentAt: invitation.sentAt });
    }
    const profile = this.profile(invitation.providerId);
    const emit = () =>
      this.d.webhooks.emit({ source: 'users', event: 'new_relation', accountId: account.id, payload: newRelationPayload(account, profile) });
    const delay = this.d.rng.between(this.d.options.newRelationWebhookDelayMs);
    if (delay > 0) this.d.scheduler.after(delay, `new_relation ${invitation.providerId}`, emit);
    else emit();
    return invitation;
  }

  // ── chats ──────────────────────────────────────────────────────────────────

  /** `POST /chats`: for an existing conversation with the member, the message lands in it. */
  startChat(accountId: string | undefined, attendeeIds: string[], text: string | undefined, inmail: boolean): { chat: SandboxChat; message: SandboxMessage } {
    if (attendeeIds.length === 0) throw sandboxErrors.missingParameters('attendees_ids is required');
    if (attendeeIds.length > 1) throw sandboxErrors.invalidParameters('the sandbox supports 1:1 chats only');
    const body = this.requireText(text);
    const account = this.requireActive(accountId);
    const providerId = attendeeIds[0];
    const profile = this.d.store.profiles.get(providerId);
    if (!profile || providerId === account.ownerProviderId) throw sandboxErrors.invalidRecipient();
    const connected = this.d.store.relationOf(account.id, providerId) !== undefined;
    if (!connected && !inmail) throw sandboxErrors.noConnectionWithRecipient();
    if (!connected && !profile.isOpenProfile) throw sandboxErrors.notAllowedInmail();
    const chat = this.d.store.chatWith(account.id, providerId) ?? this.openChat(account, providerId, !connected);
    const message = this.appendMessage(account, chat, account.ownerProviderId, body);
    this.maybeScheduleReply(chat);
    return { chat, message };
  }

  sendMessage(chatId: string, text: string | undefined, accountGuard: string | undefined): SandboxMessage {
    const chat = this.d.store.chats.get(chatId);
    if (!chat) throw sandboxErrors.notFound(`Chat ${chatId}`);
    if (accountGuard && accountGuard !== chat.accountId) throw sandboxErrors.accountMismatch();
    const body = this.requireText(text);
    const account = this.requireActive(chat.accountId);
    const message = this.appendMessage(account, chat, account.ownerProviderId, body);
    this.maybeScheduleReply(chat);
    return message;
  }

  /** The other party writes back (simulated, or forced from the admin surface). */
  reply(chatId: string, text?: string): SandboxMessage {
    const chat = this.d.store.chats.get(chatId);
    if (!chat) throw sandboxErrors.notFound(`Chat ${chatId}`);
    this.cancelPending(this.pendingReplies, chat.id);
    const account = this.requireAccount(chat.accountId);
    chat.unreadCount++;
    return this.appendMessage(account, chat, chat.attendeeProviderId, text ?? this.d.rng.pick(REPLY_TEXTS));
  }

  /** A fresh Unipile-style id from the deterministic id stream. */
  newId(): string {
    return this.d.ids.unipileId();
  }

  attendeeId(accountId: string, providerId: string): string {
    return this.d.store.attendeeId(accountId, providerId, () => this.d.ids.unipileId());
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private maybeScheduleReply(chat: SandboxChat): void {
    if (this.pendingReplies.has(chat.id)) return; // one answer at a time
    const profile = this.profile(chat.attendeeProviderId);
    const p = profile.replyProbability ?? this.d.options.reply.probability;
    if (!this.d.rng.chance(p)) return;
    const delay = this.d.rng.between(this.d.options.reply.delayMs);
    const eventId = this.d.scheduler.after(delay, `reply in chat ${chat.id}`, () => {
      this.pendingReplies.delete(chat.id);
      this.reply(chat.id);
    });
    this.pendingReplies.set(chat.id, eventId);
  }

  private openChat(account: SandboxAccount, providerId: string, inmail: boolean): SandboxChat {
    const chat: SandboxChat = {
      id: this.d.ids.unipileId(),
      accountId: account.id,
      providerId: this.d.ids.threadId(),
      attendeeProviderId: providerId,
      createdAt: this.now,
      lastActivityAt: this.now,
      activitySeq: 0,
      unreadCount: 0,
      inmail,
    };
    this.d.store.addChat(chat);
    return chat;
  }

  /** Stores a message and emits `message_received` (Unipile sends it for our own messages too). */
  private appendMessage(account: SandboxAccount, chat: SandboxChat, senderProviderId: string, text: string, opts: { sentAt?: Date } = {}): SandboxMessage {
    const message: SandboxMessage = {
      id: this.d.ids.unipileId(),
      chatId: chat.id,
      accountId: account.id,
      providerId: this.d.ids.threadId(),
      senderProviderId,
      text,
      sentAt: opts.sentAt ?? this.now,
      isSender: senderProviderId === account.ownerProviderId,
    };
    this.d.store.addMessage(message);
    this.d.store.touch(chat, this.now);
    const owner = { profile: this.profile(account.ownerProviderId), attendeeId: this.attendeeId(account.id, account.ownerProviderId), isSelf: true };
    const other = { profile: this.profile(chat.attendeeProviderId), attendeeId: this.attendeeId(account.id, chat.attendeeProviderId), isSelf: false };
    this.d.webhooks.emit({
      source: 'messaging',
      event: 'message_received',
      accountId: account.id,
      payload: messageReceivedPayload({ account, chat, message, sender: message.isSender ? owner : other, other }),
    });
    return message;
  }

  private requireText(text: string | undefined): string {
    if (text === undefined || text === '') throw sandboxErrors.missingParameters('text is required');
    if (text.length > MESSAGE_MAX_LENGTH) throw sandboxErrors.tooManyCharacters();
    return text;
  }

  private profile(providerId: string): SandboxProfile {
    const profile = this.d.store.profiles.get(providerId);
    if (!profile) throw new Error(`Unknown member ${providerId}`);
    return profile;
  }

  private cancelPending(map: Map<string, number>, key: string): void {
    const eventId = map.get(key);
    if (eventId !== undefined) this.d.scheduler.cancel(eventId);
    map.delete(key);
  }
}
