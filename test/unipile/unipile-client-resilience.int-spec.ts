import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { UnipileClient, type UnipileCallRecord } from '../../src/modules/unipile/unipile.client';
import { UnipileError } from '../../src/modules/unipile/unipile.errors';
import { capturingLogger, clientFor, startTestSandbox } from './support/harness';

async function failure(promise: Promise<unknown>): Promise<UnipileError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UnipileError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe(`${UnipileClient.name} timeouts, retries and failure mapping`, () => {
  let sandbox: UnipileSandbox;
  let client: UnipileClient;
  let accountId: string;
  let connected: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox({ initialRelations: 3 });
    client = clientFor(sandbox, { timeoutMs: 300, retry: { limit: 2, baseDelayMs: 5 } });
    accountId = sandbox.accounts()[0].id;
    connected = sandbox.store.relationsOf(accountId)[0].providerId;
  });
  afterEach(() => sandbox.stop());

  const calls = (method: string, route: string) => sandbox.requests({ method, route }).length;

  it.each([
    ['server_error', 500, 'errors/unexpected_error'],
    ['unavailable', 503, 'errors/service_unavailable'],
  ] as const)('should retry a read after a %s and succeed', async (kind, status, type) => {
    sandbox.faults.add({ kind, match: { route: '/api/v1/accounts' }, times: 2 });
    const list = await client.listAccounts();
    expect(list.items).toHaveLength(1);
    const seen = sandbox.requests({ route: '/api/v1/accounts' });
    expect(seen.map((r) => r.status)).toEqual([status, status, 200]);
    expect(seen[0].errorType).toBe(type);
  });

  it('should give up after the retry limit with TEMPORARY, keeping status, type and cause', async () => {
    sandbox.faults.add({ kind: 'unavailable', match: { route: '/api/v1/accounts/:account_id' } });
    const error = await failure(client.getAccount(accountId));
    expect(error).toMatchObject({ code: 'TEMPORARY', status: 503, type: 'errors/service_unavailable', retryable: true });
    expect(error.details).toMatchObject({ operation: 'getAccount', status: 503 });
    expect(calls('GET', '/api/v1/accounts/:account_id')).toBe(3);
  });

  it('should time out a read, map it to TEMPORARY and retry it', async () => {
    sandbox.faults.add({ kind: 'timeout', match: { route: '/api/v1/users/me' }, times: 1 });
    const me = await client.getOwnProfile(accountId);
    expect(me.provider_id).toBe(sandbox.accounts()[0].ownerProviderId);
    expect(calls('GET', '/api/v1/users/me')).toBe(2);
  });

  it('should report a read that keeps timing out as TEMPORARY with the timeout as cause', async () => {
    sandbox.faults.add({ kind: 'timeout', match: { route: '/api/v1/users/me' } });
    const quick = clientFor(sandbox, { timeoutMs: 100, retry: { limit: 1, baseDelayMs: 1 } });
    const error = await failure(quick.getOwnProfile(accountId));
    expect(error.code).toBe('TEMPORARY');
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/timed out/);
    expect((error.cause as { code?: string }).code).toBe('ETIMEDOUT');
    expect(calls('GET', '/api/v1/users/me')).toBe(2);
  });

  it('should wait out a slow answer shorter than the timeout', async () => {
    sandbox.faults.add({ kind: 'slow', delayMs: 150, match: { route: '/api/v1/accounts' }, times: 1 });
    const started = performance.now();
    await client.listAccounts();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(calls('GET', '/api/v1/accounts')).toBe(1);
  });

  it('should never retry an invitation that timed out, although LinkedIn received it', async () => {
    sandbox.faults.add({ kind: 'timeout', match: { route: '/api/v1/users/invite' } });
    const invitee = sandbox.prospects().find((p) => !sandbox.store.relationOf(accountId, p.providerId));
    if (!invitee) throw new Error('no stranger');
    const error = await failure(client.sendInvitation(accountId, { providerId: invitee.providerId }));
    expect(error.code).toBe('TEMPORARY');
    expect(calls('POST', '/api/v1/users/invite')).toBe(1);
    expect(sandbox.sentInvitations(accountId).map((i) => i.toProviderId)).toEqual([invitee.providerId]);
  });

  it.each([
    ['startChat', () => client.startChat(accountId, { attendeeProviderIds: [connected], text: 'hello' }), 'POST', '/api/v1/chats'],
    ['createWebhook', () => client.createWebhook({ requestUrl: 'http://127.0.0.1:9/h', source: 'users' }), 'POST', '/api/v1/webhooks'],
  ] as const)('should not retry %s after a 500', async (_name, send, method, route) => {
    sandbox.faults.add({ kind: 'server_error', match: { method, route } });
    expect((await failure(send())).code).toBe('TEMPORARY');
    expect(calls(method, route)).toBe(1);
  });

  it('should not retry a message send after a 503', async () => {
    const { chat_id } = await client.startChat(accountId, { attendeeProviderIds: [connected], text: 'first' });
    sandbox.faults.add({ kind: 'unavailable', match: { route: '/api/v1/chats/:chat_id/messages', method: 'POST' } });
    expect((await failure(client.sendMessage(chat_id ?? '', 'second'))).code).toBe('TEMPORARY');
    expect(calls('POST', '/api/v1/chats/:chat_id/messages')).toBe(1);
    expect(sandbox.messages({ direction: 'outbound' }).map((m) => m.text)).toEqual(['first']);
  });

  it('should not retry a read on RATE_LIMITED', async () => {
    sandbox.faults.add({ kind: 'rate_limited', match: { route: '/api/v1/users/:identifier' } });
    const error = await failure(client.getProfile(accountId, connected));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, type: 'errors/too_many_requests' });
    expect(calls('GET', '/api/v1/users/:identifier')).toBe(1);
  });

  it.each([
    [{ status: 422, type: 'errors/limit_exceeded' }, 'RATE_LIMITED'],
    [{ status: 422, type: 'errors/cannot_resend_yet' }, 'RATE_LIMITED'],
    [{ status: 422, type: 'errors/already_invited_recently' }, 'ALREADY_INVITED'],
    [{ status: 401, type: 'errors/disconnected_account' }, 'ACCOUNT_DISCONNECTED'],
    [{ status: 401, type: 'errors/expired_credentials' }, 'ACCOUNT_DISCONNECTED'],
    [{ status: 403, type: 'errors/account_restricted' }, 'ACCOUNT_RESTRICTED'],
    [{ status: 422, type: 'errors/invalid_recipient' }, 'INVALID_RECIPIENT'],
    [{ status: 422, type: 'errors/blocked_recipient' }, 'INVALID_RECIPIENT'],
    [{ status: 404, type: 'errors/resource_not_found' }, 'NOT_FOUND'],
    [{ status: 400, type: 'errors/invalid_parameters' }, 'BAD_REQUEST'],
    [{ status: 422, type: 'errors/insufficient_credits' }, 'BAD_REQUEST'],
    [{ status: 504, type: 'errors/request_timeout' }, 'TEMPORARY'],
  ] as const)('should map an HTTP answer %o to %s', async (answer, code) => {
    sandbox.faults.add({ kind: 'error', ...answer, title: 'Injected', match: { route: '/api/v1/users/invite' } });
    const error = await failure(client.sendInvitation(accountId, { providerId: connected }));
    expect(error).toMatchObject({ code, status: answer.status, type: answer.type });
    expect(error.details).toMatchObject({ title: 'Injected' });
  });

  it.each([
    [{ status: 422, type: 'errors/provider_unreachable' }, 'TEMPORARY'],
    [{ status: 502, type: 'errors/bad_gateway' }, 'TEMPORARY'],
    [{ status: 501, type: 'errors/feature_not_implemented' }, 'BAD_REQUEST'],
    [{ status: 422, type: 'errors/insufficient_credits' }, 'BAD_REQUEST'],
  ] as const)('should retry a read answered %o only if that maps to TEMPORARY (%s)', async (answer, code) => {
    sandbox.faults.add({ kind: 'error', ...answer, title: 'Injected', match: { route: '/api/v1/accounts' }, times: 1 });
    if (code === 'TEMPORARY') {
      expect((await client.listAccounts()).items).toHaveLength(1);
      expect(calls('GET', '/api/v1/accounts')).toBe(2);
    } else {
      expect(await failure(client.listAccounts())).toMatchObject({ code, status: answer.status, type: answer.type });
      expect(calls('GET', '/api/v1/accounts')).toBe(1);
    }
  });

  it('should tell onCall about every attempt, retried or not, with its own outcome', async () => {
    const records: UnipileCallRecord[] = [];
    const counted = clientFor(sandbox, { onCall: (record) => records.push(record), timeoutMs: 300, retry: { limit: 2, baseDelayMs: 5 } });
    sandbox.faults.add({ kind: 'server_error', match: { route: '/api/v1/accounts' }, times: 2 });
    await counted.listAccounts();
    sandbox.faults.add({ kind: 'timeout', match: { route: '/api/v1/users/me' } });
    expect((await failure(counted.getOwnProfile(accountId))).code).toBe('TEMPORARY');
    sandbox.faults.add({ kind: 'server_error', match: { route: '/api/v1/chats' }, times: 1 });
    expect((await failure(counted.startChat(accountId, { attendeeProviderIds: [connected], text: 'hello' }))).code).toBe('TEMPORARY');
    expect(records.map(({ operation, method, outcome }) => `${operation} ${method} ${outcome}`)).toEqual([
      'listAccounts GET TEMPORARY',
      'listAccounts GET TEMPORARY',
      'listAccounts GET ok',
      'getOwnProfile GET TEMPORARY',
      'getOwnProfile GET TEMPORARY',
      'getOwnProfile GET TEMPORARY',
      'startChat POST TEMPORARY',
    ]);
    // Durations come from got's millisecond timings: a local 500 can take 0 ms, a timed-out attempt its whole timeout.
    for (const { ms } of records) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    const timedOut = records.filter((r) => r.operation === 'getOwnProfile').map((r) => r.ms);
    for (const ms of timedOut) expect(ms).toBeGreaterThanOrEqual(250);
  });

  it('should map a per-call disconnected fault to ACCOUNT_DISCONNECTED', async () => {
    sandbox.faults.add({ kind: 'disconnected', times: 1 });
    expect((await failure(client.listAccounts())).code).toBe('ACCOUNT_DISCONNECTED');
    await expect(client.listAccounts()).resolves.toBeDefined();
  });

  it('should map a network failure to TEMPORARY after retrying reads', async () => {
    const url = sandbox.url;
    await sandbox.stop();
    const offline = new UnipileClient({ dsn: url, apiKey: 'k', timeoutMs: 500, retry: { limit: 1, baseDelayMs: 1 } });
    const error = await failure(offline.listAccounts());
    expect(error).toMatchObject({ code: 'TEMPORARY', message: expect.stringMatching(/could not reach/) });
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('should report a 2xx body that is not Unipile-shaped as UNEXPECTED_RESPONSE', async () => {
    // A plain local server answering 200 with something else (a misconfigured DSN, a proxy page).
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const odd = new UnipileClient({ dsn: `http://127.0.0.1:${port}`, apiKey: 'k', retry: { limit: 0 } });
      const error = await failure(odd.listAccounts());
      expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200, retryable: false });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('should log calls without the API key or any message text', async () => {
    const { logger, output } = capturingLogger();
    const logged = clientFor(sandbox, { logger, retry: { limit: 1, baseDelayMs: 1 } });
    sandbox.faults.add({ kind: 'server_error', match: { route: '/api/v1/chats' }, times: 1 });
    await logged.startChat(accountId, { attendeeProviderIds: [connected], text: 'very secret body' }).catch(() => undefined);
    await logged.startChat(accountId, { attendeeProviderIds: [connected], text: 'very secret body' });
    await logged.listAccounts();
    const text = output();
    expect(text).toContain('"operation":"startChat"');
    expect(text).toContain('"operation":"listAccounts"');
    expect(text).not.toContain(sandbox.apiKey);
    expect(text).not.toContain('very secret body');
  });
});
