import { systemClock } from '../../src/core/clock';
import { startUnipileSandbox, type UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { isOwnMessage, messagingWebhookSchema, newRelationWebhookSchema } from '../../src/modules/unipile/unipile-webhook.schemas';
import type { UnipileClient } from '../../src/modules/unipile/unipile.client';
import { waitFor } from '../support/polling';
import { admin, clientFor, DAY, HOUR, startTestSandbox } from './support/harness';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

describe('Unipile sandbox LinkedIn simulation', () => {
  let sandbox: UnipileSandbox;
  let client: UnipileClient;
  let receiver: WebhookReceiver;
  let accountId: string;

  const strangers = () => sandbox.prospects().filter((p) => !sandbox.store.relationOf(accountId, p.providerId));

  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const track = <T extends { stop(): Promise<void> } | { close(): Promise<void> }>(thing: T): T => {
    cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  };

  describe('on a virtual clock', () => {
    beforeEach(async () => {
      sandbox = track(await startTestSandbox({
        initialRelations: 2,
        acceptance: { probability: 1, delayMs: { min: 1 * HOUR, max: 2 * HOUR } },
        reply: { probability: 1, delayMs: { min: 2 * HOUR, max: 2 * HOUR } },
      }));
      client = clientFor(sandbox);
      accountId = sandbox.accounts()[0].id;
      receiver = track(await startWebhookReceiver());
      await client.createWebhook({ requestUrl: receiver.url, source: 'users' });
      await client.createWebhook({ requestUrl: receiver.url, source: 'messaging' });
    });

    it('should accept invitations only once their delay has passed, then emit new_relation', async () => {
      const [a, b] = strangers();
      await client.sendInvitation(accountId, { providerId: a.providerId });
      await client.sendInvitation(accountId, { providerId: b.providerId });
      expect(sandbox.pendingEvents()).toHaveLength(2);

      sandbox.advance(59 * 60_000);
      await sandbox.settle();
      expect(receiver.calls).toHaveLength(0);
      expect((await client.listSentInvitations(accountId)).items).toHaveLength(2);

      sandbox.advance(1 * HOUR + 60_000);
      await sandbox.settle();
      const relations = await client.listAllRelations(accountId);
      expect(relations.map((r) => r.member_id)).toEqual(expect.arrayContaining([a.providerId, b.providerId]));
      expect((await client.listSentInvitations(accountId)).items).toHaveLength(0);
      const events = receiver.bodies().map((body) => newRelationWebhookSchema.parse(body));
      expect(events.map((e) => e.user_provider_id).sort()).toEqual([a.providerId, b.providerId].sort());
      expect(events[0]).toMatchObject({ event: 'new_relation', account_id: accountId, account_type: 'LINKEDIN', webhook_name: '' });
      const accepted = sandbox.sentInvitations(accountId);
      expect(accepted.every((i) => i.status === 'ACCEPTED' && i.resolvedAt)).toBe(true);
      expect(Date.parse(accepted[0].resolvedAt ?? '') - Date.parse(accepted[0].sentAt)).toBeGreaterThanOrEqual(HOUR);
    });

    it('should turn an accepted note into a chat holding the note, announced as our own message', async () => {
      const [a] = strangers();
      await client.sendInvitation(accountId, { providerId: a.providerId, message: 'Loved your talk' });
      sandbox.advance(2 * HOUR);
      await sandbox.settle();
      const chat = await client.findChatWithAttendee(accountId, a.providerId);
      expect(chat).not.toBeNull();
      const messages = await client.listAllMessages(chat?.id ?? '');
      expect(messages).toEqual([expect.objectContaining({ text: 'Loved your talk', is_sender: 1 })]);
      const own = receiver.bodies().filter((b) => b.event === 'message_received').map((b) => messagingWebhookSchema.parse(b));
      expect(own).toHaveLength(1);
      expect(isOwnMessage(own[0])).toBe(true);
    });

    it('should have a connection reply after the delay, delivered as message_received', async () => {
      const member = sandbox.store.relationsOf(accountId)[0].providerId;
      const { chat_id } = await client.startChat(accountId, { attendeeProviderIds: [member], text: 'Quick question' });
      sandbox.advance(1 * HOUR);
      expect(sandbox.messages({ direction: 'inbound' })).toHaveLength(0);

      sandbox.advance(1 * HOUR);
      await sandbox.settle();
      const [reply] = sandbox.messages({ direction: 'inbound' });
      expect(reply).toMatchObject({ chatId: chat_id, counterpartProviderId: member });
      expect(Date.parse(reply.sentAt)).toBe(sandbox.clock.now().getTime());

      const rest = await client.listMessages(chat_id ?? '');
      expect(rest.items.map((m) => m.is_sender)).toEqual([0, 1]);
      expect((await client.getChat(chat_id ?? '')).unread_count).toBe(1);

      const hooks = receiver.bodies().map((b) => messagingWebhookSchema.parse(b));
      expect(hooks.map((h) => [h.is_sender, isOwnMessage(h)])).toEqual([
        [true, true],
        [false, false],
      ]);
      const inbound = hooks[1];
      expect(inbound).toMatchObject({ chat_id, message: reply.text, message_id: reply.messageId, account_info: { user_id: sandbox.accounts()[0].ownerProviderId } });
      expect(inbound.sender.attendee_provider_id).toBe(member);
      expect(receiver.calls[1].raw).toContain('"is_sender":false');
    });

    it('should let the admin surface force an acceptance and a reply, and move the clock', async () => {
      const [a] = strangers();
      const { invitation_id } = await client.sendInvitation(accountId, { providerId: a.providerId });
      const accepted = await admin<{ status: string }>(sandbox, 'POST', `/invitations/${invitation_id}/accept`);
      expect(accepted).toEqual({ status: 200, body: { invitationId: invitation_id, status: 'ACCEPTED' } });
      expect(sandbox.pendingEvents()).toHaveLength(0); // the scheduled acceptance was dropped

      const { chat_id } = await client.startChat(accountId, { attendeeProviderIds: [a.providerId], text: 'hi' });
      const replied = await admin(sandbox, 'POST', `/chats/${chat_id}/reply`, { text: 'Forced hello' });
      expect(replied.status).toBe(200);
      expect((await client.getChat(chat_id ?? '')).lastMessage?.text).toBe('Forced hello');

      const before = sandbox.clock.now().getTime();
      const moved = await admin<{ now: string }>(sandbox, 'POST', '/clock/advance', { ms: 3 * DAY });
      expect(Date.parse(moved.body.now) - before).toBe(3 * DAY);
      const wrongKey = await admin(sandbox, 'GET', '/state', undefined, 'nope');
      expect(wrongKey.status).toBe(401);
    });
  });

  it('should accept a seed-determined share of invitations, identically for the same seed', async () => {
    const run = async (seed: string) => {
      const s = track(await startTestSandbox({ seed, profiles: 30, acceptance: { probability: 0.5, delayMs: { min: HOUR, max: DAY } } }));
      const c = clientFor(s);
      const acc = s.accounts()[0].id;
      for (const p of s.prospects()) await c.sendInvitation(acc, { providerId: p.providerId });
      s.advance(2 * DAY);
      const accepted = s.sentInvitations(acc).filter((i) => i.status === 'ACCEPTED').map((i) => `${i.toPublicIdentifier}@${i.resolvedAt}`);
      return accepted;
    };
    const first = await run('alpha');
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(25);
    expect(await run('alpha')).toEqual(first);
    expect(await run('beta')).not.toEqual(first);
  });

  it('should drive due events from a timer on the system clock', async () => {
    sandbox = track(await startUnipileSandbox({
      seed: 'timer',
      clock: systemClock,
      profiles: 5,
      tickMs: 10,
      acceptance: { probability: 1, delayMs: { min: 20, max: 20 } },
    }));
    client = clientFor(sandbox);
    accountId = sandbox.accounts()[0].id;
    await client.sendInvitation(accountId, { providerId: sandbox.prospects()[0].providerId });
    await waitFor(() => sandbox.store.relations.length > 0, 5_000, 'the timer to accept the invitation');
    expect(sandbox.store.relations).toHaveLength(1);
    expect(() => sandbox.advance(1)).toThrow(/system clock/);
    expect((await admin(sandbox, 'POST', '/clock/advance', { ms: 1 })).status).toBe(409);
  });
});
