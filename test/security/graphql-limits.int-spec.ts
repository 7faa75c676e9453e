import { getIntrospectionQuery, print } from 'graphql';
import { Role } from '../../src/core/graphql/viewer';
import { AccountRateUsageDocument, HeartbeatDocument } from '../graphql/generated';
import { takeSubscription, wsClient } from '../support/graphql-client';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';
import { loginToken } from '../support/session';
import { newSession } from '../support/workspace';

// Raw documents on purpose: these are the requests a hostile client would send.
async function post(t: TestApp, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

type WsAnswer = { data?: unknown; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> };

/** One operation over graphql-ws: its first result, or the errors it was refused with. */
async function overWebSocket(t: TestApp, token: string, query: string, variables?: Record<string, unknown>): Promise<WsAnswer> {
  const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${token}` });
  try {
    return await new Promise<WsAnswer>((resolve) => {
      client.subscribe({ query, variables }, { next: (value) => resolve(value as WsAnswer), error: (e) => resolve({ errors: e as WsAnswer['errors'] }), complete: () => undefined });
    });
  } finally {
    await client.dispose();
  }
}

// Mistakes graphql-js answers with "Did you mean …?": a field, an argument, and an input field of a variable.
const TYPOS = [
  { query: '{ mee { id } }' },
  { query: 'mutation { login(emial: "a@b.c", password: "x") { token } }' },
  { query: 'mutation M($l: [LeadInput!]!) { addLeads(campaignId: "00000000-0000-0000-0000-000000000000", leads: $l) { created } }', variables: { l: [{ firstNam: 'Ann' }] } },
];
const messagesOf = (body: { errors?: Array<{ message: string }> }) => (body.errors ?? []).map((e) => e.message).join(' | ');

describe('GraphQL surface limits', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '500', GRAPHQL_MAX_TOKENS: '5000' });
    token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  it('should answer an operation within the limits', async () => {
    const res = await post(t, { query: '{ leads(first: 10) { nodes { campaign { id } } } }' }, token);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('should refuse an operation deeper than GRAPHQL_MAX_DEPTH with 400 QUERY_TOO_DEEP, fragments included', async () => {
    const res = await post(
      t,
      { query: '{ leads { nodes { ...L } } } fragment L on Lead { campaign { senders { workspace: workspaceId } } }' },
      token,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', maxDepth: 3 });
  });

  it('should refuse an operation whose cost exceeds GRAPHQL_MAX_COMPLEXITY (big pages, many aliases)', async () => {
    const big = await post(t, { query: '{ leads(first: 500) { nodes { id firstName } } }' }, token);
    expect(big.status).toBe(400);
    expect(big.body.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 500 });
    const aliases = Array.from({ length: 300 }, (_, i) => `a${i}: me { id }`).join(' ');
    const many = await post(t, { query: `{ ${aliases} }` }, token);
    expect(many.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('should take the page size from variables when costing', async () => {
    const query = 'query Q($n: Int!) { leads(first: $n) { nodes { id firstName } } }';
    expect((await post(t, { query, variables: { n: 5 } }, token)).body.errors).toBeUndefined();
    expect((await post(t, { query, variables: { n: 400 } }, token)).body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('should refuse batched requests (a JSON array body) with 400', async () => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('should refuse a GET operation without a CSRF-safe header, and a text/plain POST', async () => {
    const get = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    const form = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' });
    expect(form.status).toBe(400);
  });

  it('should keep the 1 MiB body limit outside /graphql', async () => {
    const res = await fetch(`${t.baseUrl}/api/webhooks/unipile/messaging`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
  });

  it('should apply the same limits to graphql-ws operations, with codes', async () => {
    const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${token}` });
    try {
      const ok = await takeSubscription(client, HeartbeatDocument, { intervalSeconds: 1 }, 1);
      expect(ok[0].data?.heartbeat).toBeDefined();
      const tooDeep = new Promise<Array<{ extensions?: Record<string, unknown> }>>((resolve) => {
        client.subscribe(
          { query: '{ leads { nodes { campaign { senders { id } } } } }' },
          { next: () => undefined, error: (e) => resolve(e as Array<{ extensions?: Record<string, unknown> }>), complete: () => resolve([]) },
        );
      });
      expect((await tooDeep)[0].extensions?.code).toBe('QUERY_TOO_DEEP');
      const invalid = new Promise<Array<{ extensions?: Record<string, unknown> }>>((resolve) => {
        client.subscribe(
          { query: '{ nope }' },
          { next: () => undefined, error: (e) => resolve(e as Array<{ extensions?: Record<string, unknown> }>), complete: () => resolve([]) },
        );
      });
      expect((await invalid)[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await client.dispose();
    }
  });
});

describe('cost of lists sized by an argument, and of aliases (default limits)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  });
  afterAll(() => t.stop());

  const rateUsage = (alias: string, days: string) =>
    `${alias}: accountRateUsage(accountId: "00000000-0000-0000-0000-000000000000", days: ${days}) { days { day invitesSent } }`;

  it('should refuse accountRateUsage(days: 366) under 50 aliases with 400 QUERY_TOO_COMPLEX, and cost one of them by its days', async () => {
    const fifty = await post(t, { query: `{ ${Array.from({ length: 50 }, (_, i) => rateUsage(`a${i}`, '366')).join(' ')} }` }, token);
    expect(fifty.status).toBe(400);
    expect(fifty.body.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 20_000 });
    expect(fifty.body.errors?.[0].extensions?.complexity).toBeGreaterThan(50 * 366);
    // Within the limit alone (the unknown account is then NOT_FOUND, not a limit).
    const one = await post(t, { query: `{ ${rateUsage('a', '366')} }` }, token);
    expect(one.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('should take days from a variable, so the same document costs more for more days', async () => {
    const query = `query Q($d: Int!) { ${Array.from({ length: 20 }, (_, i) => rateUsage(`a${i}`, '$d')).join(' ')} }`;
    expect((await post(t, { query, variables: { d: 7 } }, token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await post(t, { query, variables: { d: 366 } }, token)).body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('should cost campaignTimeseries by its days too, over graphql-ws as over HTTP', async () => {
    const series = (i: number) => `s${i}: campaignTimeseries(campaignId: "00000000-0000-0000-0000-000000000000", days: 366) { days { day invitesSent } }`;
    const query = `{ ${Array.from({ length: 50 }, (_, i) => series(i)).join(' ')} }`;
    expect((await post(t, { query }, token)).body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect((await overWebSocket(t, token, query)).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const typed = await overWebSocket(t, token, print(AccountRateUsageDocument), { accountId: '00000000-0000-0000-0000-000000000000', days: 366 });
    expect(typed.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('should refuse a document of more than 1,000 tokens (the default) while parsing it, over HTTP and graphql-ws', async () => {
    const query = `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await post(t, { query });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await overWebSocket(t, token, query)).errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await post(t, { query: `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: __typename`).join(' ')} }` })).status).toBe(200);
  });

  it('should give no "Did you mean" suggestions to anonymous callers, and keep them for signed-in ones outside production', async () => {
    for (const typo of TYPOS) {
      const anonymous = await post(t, typo);
      expect(anonymous.body.errors?.length).toBeGreaterThan(0);
      expect(messagesOf(anonymous.body)).not.toContain('Did you mean');
      expect(messagesOf((await post(t, typo, token)).body)).toContain('Did you mean');
    }
  });
});

describe('introspection and suggestions in production', () => {
  let t: TestApp;
  let admin: string;
  let member: string;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
    admin = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    member = (await newSession(t, { role: Role.MEMBER })).token;
  });
  afterAll(() => t.stop());

  it('should refuse introspection without an admin token with FORBIDDEN and a 4xx status, never 500', async () => {
    const res = await post(t, { query: '{ __schema { queryType { name } } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await post(t, { query: '{ __schema { queryType { name } } }' }, member)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('should refuse introspection over graphql-ws to members and allow it to admins, as over HTTP', async () => {
    const refused = await overWebSocket(t, member, '{ __type(name: "Lead") { fields { name } } }');
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await overWebSocket(t, member, getIntrospectionQuery())).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const allowed = await overWebSocket(t, admin, '{ __schema { queryType { name } } }');
    expect(allowed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('should give suggestions to admins only, over HTTP and graphql-ws', async () => {
    for (const typo of TYPOS) {
      expect(messagesOf((await post(t, typo)).body)).not.toContain('Did you mean');
      expect(messagesOf((await post(t, typo, member)).body)).not.toContain('Did you mean');
      expect(messagesOf((await post(t, typo, admin)).body)).toContain('Did you mean');
    }
    const viaSocket = async (token: string) => (await overWebSocket(t, token, TYPOS[0].query)).errors?.map((e) => e.message).join(' | ');
    expect(await viaSocket(member)).not.toContain('Did you mean');
    expect(await viaSocket(admin)).toContain('Did you mean');
  });
});
