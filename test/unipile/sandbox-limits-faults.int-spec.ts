import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import type { UnipileClient } from '../../src/modules/unipile/unipile.client';
import { admin, api, clientFor, DAY, HOUR, startTestSandbox } from './support/harness';

describe('Unipile sandbox limits, faults and API conventions', () => {
  let sandbox: UnipileSandbox;
  let client: UnipileClient;
  let accountId: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ initialRelations: 2, limits: { invitesPerDay: 3, invitesPerWeek: 5, profileViewsPerDay: 4 } });
    client = clientFor(sandbox);
    accountId = sandbox.accounts()[0].id;
  });
  afterEach(() => sandbox.stop());

  const strangers = () => sandbox.prospects().filter((p) => !sandbox.store.relationOf(accountId, p.providerId));
  const invite = (providerId: string) => api(sandbox, 'POST', '/users/invite', { json: { account_id: accountId, provider_id: providerId } });

  describe('limits', () => {
    it('should cap invitations per rolling day with cannot_resend_yet and per rolling week with limit_exceeded', async () => {
      const people = strangers();
      for (let i = 0; i < 3; i++) expect((await invite(people[i].providerId)).status).toBe(200);
      const overDay = await invite(people[3].providerId);
      expect(overDay).toMatchObject({
        status: 422,
        body: { status: 422, type: 'errors/cannot_resend_yet', title: 'Cannot resend yet', detail: 'You have reached a temporary provider limit.' },
      });
      await expect(client.sendInvitation(accountId, { providerId: people[3].providerId })).rejects.toMatchObject({ code: 'RATE_LIMITED' });

      sandbox.advance(DAY + HOUR);
      expect((await invite(people[3].providerId)).status).toBe(200);
      expect((await invite(people[4].providerId)).status).toBe(200);
      const overWeek = await invite(people[5].providerId);
      expect(overWeek.body).toMatchObject({ status: 422, type: 'errors/limit_exceeded' });

      sandbox.advance(7 * DAY);
      expect((await invite(people[5].providerId)).status).toBe(200);
      expect(sandbox.sentInvitations(accountId)).toHaveLength(6);
    });

    it('should report usage when crossing a landing of the weekly cap', async () => {
      const people = strangers();
      const usages = [];
      for (let i = 0; i < 3; i++) usages.push((await invite(people[i].providerId)).body.usage);
      // 1/5 = 20%, 2/5 = 40%, 3/5 = 60%: only the third crosses a landing (50).
      expect(usages).toEqual([undefined, undefined, 50]);
    });

    it('should push back on profile visits over the daily cap with 429', async () => {
      const person = sandbox.prospects()[0];
      for (let i = 0; i < 4; i++) await client.getProfile(accountId, person.providerId);
      await expect(client.getProfile(accountId, person.providerId)).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      sandbox.advance(DAY);
      await expect(client.getProfile(accountId, person.providerId)).resolves.toBeDefined();
    });
  });

  describe('validation as Unipile does it', () => {
    it('should answer 401 missing_credentials to a wrong or missing key', async () => {
      const expected = { status: 401, type: 'errors/missing_credentials', title: 'Missing credentials' };
      expect(await api(sandbox, 'GET', '/accounts', { key: 'bogus' })).toMatchObject({ status: 401, body: expected });
      expect(await api(sandbox, 'GET', '/accounts', { key: null })).toMatchObject({ status: 401, body: expected });
      expect((await api(sandbox, 'GET', '/accounts')).contentType).toBe('application/json; charset=utf-8');
    });

    it('should refuse a note over 300 characters with too_many_characters', async () => {
      const res = await api(sandbox, 'POST', '/users/invite', { json: { account_id: accountId, provider_id: strangers()[0].providerId, message: 'x'.repeat(301) } });
      expect(res).toMatchObject({ status: 400, body: { type: 'errors/too_many_characters' } });
      const ok = await api(sandbox, 'POST', '/users/invite', { json: { account_id: accountId, provider_id: strangers()[0].providerId, message: 'x'.repeat(300) } });
      expect(ok).toMatchObject({ status: 200, body: { object: 'UserInvitationSent' } });
    });

    it('should refuse unknown accounts and missing parameters', async () => {
      expect(await api(sandbox, 'POST', '/users/invite', { json: { account_id: 'ghost', provider_id: 'x' } })).toMatchObject({
        status: 422,
        body: { type: 'errors/invalid_account' },
      });
      expect(await api(sandbox, 'GET', '/users/relations')).toMatchObject({ status: 400, body: { type: 'errors/missing_parameters' } });
      expect(await api(sandbox, 'GET', '/nothing/here')).toMatchObject({ status: 404, body: { type: 'errors/resource_not_found' } });
      expect(await api(sandbox, 'GET', `/chats?limit=251`)).toMatchObject({ status: 400, body: { type: 'errors/invalid_parameters' } });
      expect(await api(sandbox, 'GET', `/chats?cursor=garbage`)).toMatchObject({ status: 400, body: { type: 'errors/invalid_parameters' } });
    });

    it('should take start-chat as multipart with repeated attendees_ids, or as JSON', async () => {
      const member = sandbox.store.relationsOf(accountId)[0].providerId;
      const form = new FormData();
      form.append('account_id', accountId);
      form.append('attendees_ids', member);
      form.append('text', 'multipart hello');
      form.append('linkedin[api]', 'classic');
      const multipart = await api(sandbox, 'POST', '/chats', { form });
      expect(multipart).toMatchObject({ status: 201, body: { object: 'ChatStarted' } });
      const json = await api(sandbox, 'POST', '/chats', { json: { account_id: accountId, attendees_ids: [member], text: 'json hello', linkedin: { api: 'classic' } } });
      expect(json.body.chat_id).toBe(multipart.body.chat_id); // same conversation
      const messages = await api(sandbox, 'GET', `/chats/${String(json.body.chat_id)}/messages`);
      const items = messages.body.items as Array<{ text: string; is_sender: unknown }>;
      expect(items.map((m) => [m.text, m.is_sender])).toEqual([
        ['json hello', 1],
        ['multipart hello', 1],
      ]);
    });

    it('should carry the first request filters in the cursor', async () => {
      const second = sandbox.createAccount({ name: 'Second' });
      for (const r of sandbox.store.relationsOf(accountId)) await client.startChat(accountId, { attendeeProviderIds: [r.providerId], text: 'hi' });
      const first = await client.listChats({ accountId, limit: 1 });
      // A different account_id next to the cursor is ignored, as Unipile ignores other params.
      const next = await api(sandbox, 'GET', `/chats?cursor=${encodeURIComponent(first.cursor ?? '')}&account_id=${second.id}`);
      expect((next.body.items as Array<{ account_id: string }>).map((c) => c.account_id)).toEqual([accountId]);
    });
  });

  describe('faults', () => {
    it.each([
      ['rate_limited', 429, 'errors/too_many_requests'],
      ['server_error', 500, 'errors/unexpected_error'],
      ['unavailable', 503, 'errors/service_unavailable'],
      ['disconnected', 401, 'errors/disconnected_account'],
    ] as const)('should answer a %s fault with %i %s, then recover', async (kind, status, type) => {
      const id = sandbox.faults.add({ kind, match: { method: 'GET', route: '/api/v1/accounts' } });
      expect(await api(sandbox, 'GET', '/accounts')).toMatchObject({ status, body: { status, type } });
      expect((await api(sandbox, 'GET', '/webhooks')).status).toBe(200); // other routes unaffected
      sandbox.faults.remove(id);
      expect((await api(sandbox, 'GET', '/accounts')).status).toBe(200);
    });

    it('should apply a fault only to a given account and only so many times', async () => {
      const other = sandbox.createAccount();
      sandbox.faults.add({ kind: 'server_error', match: { accountId }, times: 2 });
      expect((await api(sandbox, 'GET', `/users/me?account_id=${other.id}`)).status).toBe(200);
      expect((await api(sandbox, 'GET', `/users/me?account_id=${accountId}`)).status).toBe(500);
      expect((await api(sandbox, 'GET', `/users/me?account_id=${accountId}`)).status).toBe(500);
      expect((await api(sandbox, 'GET', `/users/me?account_id=${accountId}`)).status).toBe(200);
      expect(sandbox.faults.list()).toHaveLength(0);
    });

    it('should inject faults by rate, repeatably for a seed', async () => {
      const pattern = async (s: UnipileSandbox) => {
        s.faults.add({ kind: 'rate_limited', rate: 0.5, match: { route: '/api/v1/accounts' } });
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await api(s, 'GET', '/accounts')).status);
        return statuses;
      };
      const first = await pattern(sandbox);
      expect(first.filter((s) => s === 429).length).toBeGreaterThan(3);
      expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
      const twin = await startTestSandbox({ initialRelations: 2 });
      try {
        expect(await pattern(twin)).toEqual(first);
      } finally {
        await twin.stop();
      }
    });

    it('should slow a response down, set over the admin surface', async () => {
      const added = await admin<{ id: number }>(sandbox, 'POST', '/faults', { kind: 'slow', delayMs: 120, times: 1, match: { route: '/api/v1/webhooks' } });
      expect(added.status).toBe(200);
      const started = performance.now();
      expect((await api(sandbox, 'GET', '/webhooks')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
      const listed = await admin<unknown[]>(sandbox, 'GET', '/faults');
      expect(listed.body).toEqual([]);
      expect((await admin(sandbox, 'POST', '/faults', { kind: 'nonsense' })).status).toBe(400);
    });

    it('should record requests for inspection, faults included', async () => {
      const person = strangers()[0];
      sandbox.faults.add({ kind: 'server_error', times: 1, match: { route: '/api/v1/users/invite' } });
      await invite(person.providerId);
      await invite(person.providerId);
      const log = await admin<Array<{ status: number; fault?: string; accountId?: string }>>(sandbox, 'GET', '/requests?route=/api/v1/users/invite');
      expect(log.body.map((r) => [r.status, r.fault ?? null, r.accountId])).toEqual([
        [500, 'server_error', accountId],
        [200, null, accountId],
      ]);
      const sent = await admin<Array<{ toProviderId: string; sentAt: string }>>(sandbox, 'GET', `/invitations?account_id=${accountId}`);
      expect(sent.body).toEqual([expect.objectContaining({ toProviderId: person.providerId, sentAt: sandbox.clock.now().toISOString() })]);
    });
  });
});
