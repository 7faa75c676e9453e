import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { UnipileMessenger } from '../../src/modules/unipile/unipile-messenger';
import { UnipileError } from '../../src/modules/unipile/unipile.errors';
import { clientFor, startTestSandbox, virtualClock } from './support/harness';

describe(UnipileMessenger.name, () => {
  let sandbox: UnipileSandbox;
  let messenger: UnipileMessenger;
  let accountId: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ initialRelations: 5 });
    messenger = new UnipileMessenger(clientFor(sandbox));
    accountId = sandbox.accounts()[0].id;
  });
  afterEach(() => sandbox.stop());

  it('should resolve the member id from a public identifier and start a chat when none exists', async () => {
    const member = sandbox.store.profiles.get(sandbox.store.relationsOf(accountId)[0].providerId);
    if (!member) throw new Error('no member');
    const result = await messenger.sendMessageToMember(accountId, { publicIdentifier: member.publicIdentifier }, 'Hello!');
    expect(result).toEqual({ chatId: expect.any(String), messageId: expect.any(String), providerId: member.providerId, started: true });
    expect(sandbox.store.chats.get(result.chatId ?? '')?.attendeeProviderId).toBe(member.providerId);
    expect(sandbox.requests({ method: 'GET', route: '/api/v1/users/:identifier' })).toHaveLength(1);
    expect(sandbox.requests({ method: 'POST', route: '/api/v1/chats' })).toHaveLength(1);
  });

  it('should post into the existing chat found on a later page instead of starting one', async () => {
    const target = sandbox.store.relationsOf(accountId)[0].providerId;
    const first = await messenger.sendMessageToMember(accountId, { providerId: target }, 'One');
    // Bury the chat under more than a page (250) of newer chats.
    const clock = virtualClock(sandbox);
    for (let i = 0; i < 255; i++) {
      const p = sandbox.createProfile();
      sandbox.connect(accountId, p.providerId);
      clock.advance(1_000);
      await messenger.sendMessageToMember(accountId, { providerId: p.providerId }, 'filler');
    }
    const chatsBefore = sandbox.store.chats.size;
    const listCalls = sandbox.requests({ method: 'GET', route: '/api/v1/chats' }).length;

    const second = await messenger.sendMessageToMember(accountId, { providerId: target }, 'Two');
    expect(second).toEqual({ chatId: first.chatId, messageId: expect.any(String), providerId: target, started: false });
    expect(sandbox.store.chats.size).toBe(chatsBefore);
    expect(sandbox.requests({ method: 'GET', route: '/api/v1/chats' }).length - listCalls).toBe(2);
    expect(sandbox.store.messagesOf(first.chatId ?? '').map((m) => m.text)).toEqual(['Two', 'One']);
  });

  it('should not resend when the send fails, and surface the mapped error', async () => {
    const target = sandbox.store.relationsOf(accountId)[0].providerId;
    sandbox.faults.add({ kind: 'server_error', match: { method: 'POST', route: '/api/v1/chats' } });
    await expect(messenger.sendMessageToMember(accountId, { providerId: target }, 'Hi')).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect(sandbox.requests({ method: 'POST', route: '/api/v1/chats' })).toHaveLength(1);
  });

  it('should fail with INVALID_RECIPIENT for a member who is not a connection', async () => {
    const stranger = sandbox.prospects().find((p) => !sandbox.store.relationOf(accountId, p.providerId));
    if (!stranger) throw new Error('no stranger');
    const error = await messenger.sendMessageToMember(accountId, { providerId: stranger.providerId }, 'Hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnipileError);
    expect(error).toMatchObject({ code: 'INVALID_RECIPIENT' });
  });
});
