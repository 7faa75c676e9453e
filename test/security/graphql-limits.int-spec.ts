import { HeartbeatDocument } from '../graphql/generated';
import { takeSubscription, wsClient } from '../support/graphql-client';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';
import { loginToken } from '../support/session';

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

describe('GraphQL surface limits', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '500' });
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
    const aliases = Array.from({ length: 600 }, (_, i) => `a${i}: me { id }`).join(' ');
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

describe('introspection in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(() => t.stop());

  it('should refuse introspection without an admin token with FORBIDDEN and a 4xx status, never 500', async () => {
    const res = await post(t, { query: '{ __schema { queryType { name } } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
