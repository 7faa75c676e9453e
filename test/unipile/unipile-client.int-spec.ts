import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { UnipileClient } from '../../src/modules/unipile/unipile.client';
import { UnipileError } from '../../src/modules/unipile/unipile.errors';
import { clientFor, DAY, startTestSandbox, virtualClock } from './support/harness';

async function failure(promise: Promise<unknown>): Promise<UnipileError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UnipileError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe(UnipileClient.name, () => {
  let sandbox: UnipileSandbox;
  let client: UnipileClient;
  let accountId: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ accounts: 2, initialRelations: 7 });
    client = clientFor(sandbox);
    accountId = sandbox.accounts()[0].id;
  });
  afterEach(() => sandbox.stop());

  describe('accounts', () => {
    it('should list accounts with the owner member id and status counts', async () => {
      const list = await client.listAccounts();
      expect(list.items.map((a) => a.id)).toEqual(sandbox.accounts().map((a) => a.id));
      expect(list.items[0].connection_params?.im?.id).toBe(sandbox.accounts()[0].ownerProviderId);
      expect(list.total_count).toBe(2);
      expect(list.status_counts?.OK).toBe(2);
      expect(list.cursor).toBeNull();
    });

    it('should page through accounts with the cursor', async () => {
      sandbox.createAccount({ name: 'Third' });
      const first = await client.listAccounts({ limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.cursor).toEqual(expect.any(String));
      const second = await client.listAccounts({ cursor: first.cursor ?? undefined });
      expect(second.items.map((a) => a.name)).toEqual(['Third']);
      expect(second.cursor).toBeNull();
    });

    it('should get one account and map an unknown id to NOT_FOUND', async () => {
      const account = await client.getAccount(accountId);
      expect(account).toMatchObject({ id: accountId, type: 'LINKEDIN', sources: [{ status: 'OK' }] });
      const error = await failure(client.getAccount('nope'));
      expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, type: 'errors/resource_not_found' });
    });
  });

  describe('users', () => {
    it('should fetch a profile by public identifier and by member id', async () => {
      const person = sandbox.prospects()[3];
      const bySlug = await client.getProfile(accountId, { publicIdentifier: person.publicIdentifier });
      const byId = await client.getProfile(accountId, { providerId: person.providerId });
      expect(bySlug.provider_id).toBe(person.providerId);
      expect(byId.public_identifier).toBe(person.publicIdentifier);
      expect(bySlug).toMatchObject({ object: 'UserProfile', provider: 'LINKEDIN', first_name: person.firstName });
    });

    it('should report relationship and pending invitation on a profile', async () => {
      const relation = (await client.listRelations(accountId, { limit: 1 })).items[0];
      expect((await client.getProfile(accountId, relation.member_id)).is_relationship).toBe(true);
      const stranger = sandbox.prospects().find((p) => !sandbox.store.relationOf(accountId, p.providerId));
      if (!stranger) throw new Error('no stranger');
      await client.sendInvitation(accountId, { providerId: stranger.providerId });
      const profile = await client.getProfile(accountId, stranger.providerId);
      expect(profile.is_relationship).toBe(false);
      expect(profile.invitation).toEqual({ type: 'SENT', status: 'PENDING' });
    });

    it('should return the account owner profile from users/me', async () => {
      const me = await client.getOwnProfile(accountId);
      expect(me.object).toBe('AccountOwnerProfile');
      expect(me.provider_id).toBe(sandbox.accounts()[0].ownerProviderId);
    });

    it('should page relations newest first and collect them all', async () => {
      const first = await client.listRelations(accountId, { limit: 3 });
      expect(first.items).toHaveLength(3);
      const createdAt = first.items.map((r) => r.created_at);
      expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);
      const all = await client.listAllRelations(accountId, 3);
      expect(all).toHaveLength(7);
      expect(new Set(all.map((r) => r.member_id)).size).toBe(7);
      expect(sandbox.requests({ route: '/api/v1/users/relations' })).toHaveLength(1 + 3);
    });

    it('should map an unknown profile to NOT_FOUND and an unknown account to ACCOUNT_DISCONNECTED', async () => {
      expect(await failure(client.getProfile(accountId, 'nobody-here'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
      expect(await failure(client.getOwnProfile('not-an-account'))).toMatchObject({
        code: 'ACCOUNT_DISCONNECTED',
        status: 422,
        type: 'errors/invalid_account',
      });
    });
  });

  describe('invitations', () => {
    it('should send, list and cancel an invitation', async () => {
      const [a, b] = sandbox.prospects().filter((p) => !sandbox.store.relationOf(accountId, p.providerId));
      const sent = await client.sendInvitation(accountId, { providerId: a.providerId, message: 'Hello there' });
      await client.sendInvitation(accountId, { providerId: b.providerId });
      expect(sent.invitation_id).toMatch(/^\d{19}$/);

      const pending = await client.listAllSentInvitations(accountId);
      expect(pending.map((i) => i.invited_user_id).sort()).toEqual([a.providerId, b.providerId].sort());
      expect(pending.find((i) => i.id === sent.invitation_id)?.invitation_text).toBe('Hello there');

      await client.cancelInvitation(accountId, sent.invitation_id);
      const after = await client.listSentInvitations(accountId);
      expect(after.items.map((i) => i.invited_user_id)).toEqual([b.providerId]);
      expect(sandbox.sentInvitations(accountId).find((i) => i.invitationId === sent.invitation_id)?.status).toBe('WITHDRAWN');
    });

    it('should page sent invitations with the default page size of 10', async () => {
      const strangers = sandbox.prospects().filter((p) => !sandbox.store.relationOf(accountId, p.providerId)).slice(0, 12);
      for (const p of strangers) await client.sendInvitation(accountId, { providerId: p.providerId });
      const first = await client.listSentInvitations(accountId);
      expect(first.items).toHaveLength(10);
      const second = await client.listSentInvitations(accountId, { cursor: first.cursor ?? undefined });
      expect(second.items).toHaveLength(2);
      expect(second.cursor).toBeNull();
    });

    it('should refuse a note over 300 characters before calling Unipile', async () => {
      const error = await failure(client.sendInvitation(accountId, { providerId: sandbox.prospects()[0].providerId, message: 'x'.repeat(301) }));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', type: 'errors/too_many_characters' });
      expect(sandbox.requests({ route: '/api/v1/users/invite' })).toHaveLength(0);
    });

    it('should map re-inviting a pending member to ALREADY_INVITED, and after a withdrawal too', async () => {
      const p = sandbox.prospects().find((x) => !sandbox.store.relationOf(accountId, x.providerId));
      if (!p) throw new Error('no stranger');
      const { invitation_id } = await client.sendInvitation(accountId, { providerId: p.providerId });
      expect(await failure(client.sendInvitation(accountId, { providerId: p.providerId }))).toMatchObject({
        code: 'ALREADY_INVITED',
        status: 422,
        type: 'errors/already_invited_recently',
      });
      await client.cancelInvitation(accountId, invitation_id);
      expect((await failure(client.sendInvitation(accountId, { providerId: p.providerId }))).code).toBe('ALREADY_INVITED');
      virtualClock(sandbox).advance(22 * DAY); // past the re-invite cooldown
      await expect(client.sendInvitation(accountId, { providerId: p.providerId })).resolves.toMatchObject({ object: 'UserInvitationSent' });
    });

    it('should map recipient refusals to INVALID_RECIPIENT', async () => {
      const connected = sandbox.store.relationsOf(accountId)[0].providerId;
      expect(await failure(client.sendInvitation(accountId, { providerId: connected }))).toMatchObject({
        code: 'INVALID_RECIPIENT',
        type: 'errors/cannot_invite_attendee',
      });
      // The public slug is not accepted where a member id is required.
      const slug = sandbox.prospects()[0].publicIdentifier;
      expect(await failure(client.sendInvitation(accountId, { providerId: slug }))).toMatchObject({
        code: 'INVALID_RECIPIENT',
        type: 'errors/invalid_recipient',
      });
    });

    it('should map cancelling an unknown invitation to NOT_FOUND', async () => {
      expect((await failure(client.cancelInvitation(accountId, '123'))).code).toBe('NOT_FOUND');
    });
  });

  describe('chats and messages', () => {
    it('should start a chat with a connection, send in it, and read it back', async () => {
      const member = sandbox.store.relationsOf(accountId)[0].providerId;
      const started = await client.startChat(accountId, { attendeeProviderIds: [member], text: 'First hello' });
      expect(started).toMatchObject({ object: 'ChatStarted', chat_id: expect.any(String), message_id: expect.any(String) });
      const chatId = started.chat_id ?? '';
      const sent = await client.sendMessage(chatId, 'Second hello', { accountId });
      expect(sent.message_id).toEqual(expect.any(String));

      const chat = await client.getChat(chatId);
      expect(chat).toMatchObject({ id: chatId, account_id: accountId, attendee_provider_id: member, type: 0 });
      expect(chat.lastMessage).toMatchObject({ id: sent.message_id, text: 'Second hello', is_sender: 1 });
      expect((await client.getChat(chat.provider_id ?? '', accountId)).id).toBe(chatId);

      const messages = await client.listAllMessages(chatId);
      expect(messages.map((m) => m.text)).toEqual(['Second hello', 'First hello']);
      const page = await client.listMessages(chatId, { limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.cursor).toEqual(expect.any(String));
    });

    it('should send chats and messages as multipart, invitations and webhooks as JSON', async () => {
      const member = sandbox.store.relationsOf(accountId)[0].providerId;
      const { chat_id } = await client.startChat(accountId, { attendeeProviderIds: [member], text: 'hi' });
      await client.sendMessage(chat_id ?? '', 'again');
      await client.sendInvitation(accountId, { providerId: sandbox.prospects().find((p) => !sandbox.store.relationOf(accountId, p.providerId))?.providerId ?? '' });
      await client.createWebhook({ requestUrl: 'http://127.0.0.1:9/h', source: 'users' });
      const typeOf = (route: string) => sandbox.requests({ method: 'POST', route }).map((r) => r.contentType);
      expect(typeOf('/api/v1/chats')).toEqual(['multipart/form-data']);
      expect(typeOf('/api/v1/chats/:chat_id/messages')).toEqual(['multipart/form-data']);
      expect(typeOf('/api/v1/users/invite')).toEqual(['application/json']);
      expect(typeOf('/api/v1/webhooks')).toEqual(['application/json']);
      // linkedin[api] reaches the sandbox: asking for recruiter is refused for a classic account.
      const error = await failure(client.startChat(accountId, { attendeeProviderIds: [member], text: 'hi', api: 'recruiter' }));
      expect(error).toMatchObject({ code: 'ACCOUNT_RESTRICTED', status: 403, type: 'errors/feature_not_subscribed' });
    });

    it('should map messaging a non-connection to INVALID_RECIPIENT', async () => {
      const stranger = sandbox.prospects().find((p) => !sandbox.store.relationOf(accountId, p.providerId) && !p.isOpenProfile);
      if (!stranger) throw new Error('no stranger');
      expect(await failure(client.startChat(accountId, { attendeeProviderIds: [stranger.providerId], text: 'hi' }))).toMatchObject({
        code: 'INVALID_RECIPIENT',
        type: 'errors/no_connection_with_recipient',
      });
      expect(await failure(client.startChat(accountId, { attendeeProviderIds: [stranger.providerId], text: 'hi', inmail: true }))).toMatchObject({
        code: 'INVALID_RECIPIENT',
        type: 'errors/not_allowed_inmail',
      });
    });

    it('should map a chat of another account to ACCOUNT_RESTRICTED and an unknown chat to NOT_FOUND', async () => {
      const member = sandbox.store.relationsOf(accountId)[0].providerId;
      const { chat_id } = await client.startChat(accountId, { attendeeProviderIds: [member], text: 'hi' });
      const other = sandbox.accounts()[1].id;
      expect(await failure(client.sendMessage(chat_id ?? '', 'x', { accountId: other }))).toMatchObject({
        code: 'ACCOUNT_RESTRICTED',
        type: 'errors/account_mismatch',
      });
      expect((await failure(client.sendMessage('missing-chat', 'x'))).code).toBe('NOT_FOUND');
      expect((await failure(client.getChat('missing-chat'))).code).toBe('NOT_FOUND');
    });

    it('should list every chat across pages and find the chat with an attendee on a later page', async () => {
      const members = sandbox.store.relationsOf(accountId).map((r) => r.providerId);
      const clock = virtualClock(sandbox);
      for (const member of members) {
        await client.startChat(accountId, { attendeeProviderIds: [member], text: `hi ${member}` });
        clock.advance(60_000);
      }
      const firstPage = await client.listChats({ accountId, limit: 3 });
      expect(firstPage.items).toHaveLength(3);
      expect(firstPage.items[0].attendee_provider_id).toBe(members[members.length - 1]); // most recent first
      expect(await client.listAllChats({ accountId, limit: 3 })).toHaveLength(members.length);

      const listed = () => sandbox.requests({ method: 'GET', route: '/api/v1/chats' }).length;
      const before = listed();
      const oldest = await client.findChatWithAttendee(accountId, members[0]);
      expect(oldest?.attendee_provider_id).toBe(members[0]);
      expect(listed() - before).toBe(1); // limit 250: one page suffices
      expect(await client.findChatWithAttendee(accountId, sandbox.prospects()[0].providerId + 'x')).toBeNull();
    });

    it('should follow cursors in findChatWithAttendee when chats span pages', async () => {
      const extra = Array.from({ length: 260 }, () => sandbox.createProfile());
      for (const p of extra) sandbox.connect(accountId, p.providerId);
      const clock = virtualClock(sandbox);
      for (const p of extra) {
        await client.startChat(accountId, { attendeeProviderIds: [p.providerId], text: 'hi' });
        clock.advance(1_000);
      }
      const found = await client.findChatWithAttendee(accountId, extra[0].providerId); // the oldest: page 2
      expect(found?.attendee_provider_id).toBe(extra[0].providerId);
      expect(sandbox.requests({ method: 'GET', route: '/api/v1/chats' })).toHaveLength(2);
    });

    it('should filter chats by unread and by date', async () => {
      const [m1, m2] = sandbox.store.relationsOf(accountId).map((r) => r.providerId);
      const a = await client.startChat(accountId, { attendeeProviderIds: [m1], text: 'a' });
      virtualClock(sandbox).advance(DAY);
      await client.startChat(accountId, { attendeeProviderIds: [m2], text: 'b' });
      sandbox.reply(a.chat_id ?? '', 'answer');
      const unread = await client.listChats({ accountId, unread: true });
      expect(unread.items.map((c) => c.id)).toEqual([a.chat_id]);
      const after = await client.listChats({ accountId, after: new Date(sandbox.clock.now().getTime() - 1).toISOString() });
      expect(after.items).toHaveLength(2); // the reply just bumped chat a
      const before = await client.listChats({ accountId, before: new Date(sandbox.clock.now().getTime() - 1).toISOString() });
      expect(before.items).toHaveLength(0);
    });
  });

  describe('webhooks', () => {
    it('should create, list and delete webhooks', async () => {
      const id = await client.createWebhook({ requestUrl: 'http://127.0.0.1:9/hook', source: 'messaging', name: 'msgs', accountIds: [accountId] });
      const users = await client.createWebhook({ requestUrl: 'http://127.0.0.1:9/users', source: 'users' });
      const list = await client.listAllWebhooks();
      expect(list.map((w) => w.id).sort()).toEqual([id, users].sort());
      const hook = list.find((w) => w.id === id);
      expect(hook).toMatchObject({ source: 'messaging', name: 'msgs', enabled: true, events: ['message_received'], account_ids: [{ id: accountId }] });
      expect(hook?.headers).toEqual([{ key: 'Content-Type', value: 'application/json' }]);
      await client.deleteWebhook(id);
      expect((await client.listWebhooks()).items.map((w) => w.id)).toEqual([users]);
      expect((await failure(client.deleteWebhook(id))).code).toBe('NOT_FOUND');
    });

    it('should map an invalid registration to BAD_REQUEST', async () => {
      const error = await failure(client.createWebhook({ requestUrl: 'not a url', source: 'users' }));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400, type: 'errors/invalid_parameters' });
    });
  });

  describe('authentication', () => {
    it('should map a wrong API key to ACCOUNT_DISCONNECTED with missing_credentials', async () => {
      const wrong = new UnipileClient({ dsn: sandbox.url, apiKey: 'wrong', retry: { limit: 0 } });
      expect(await failure(wrong.listAccounts())).toMatchObject({
        code: 'ACCOUNT_DISCONNECTED',
        status: 401,
        type: 'errors/missing_credentials',
        retryable: false,
      });
    });

    it('should accept a DSN given with the /api/v1 suffix', async () => {
      const withSuffix = new UnipileClient({ dsn: `${sandbox.url}/api/v1/`, apiKey: sandbox.apiKey });
      expect((await withSuffix.listAccounts()).items).toHaveLength(2);
    });
  });
});
