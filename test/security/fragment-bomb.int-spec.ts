import type { ChildProcess } from 'node:child_process';
import type { GraphQLFormattedError } from 'graphql';
import { wsClient } from '../support/graphql-client';
import { waitFor } from '../support/polling';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';
import { spawnWorker, stopProcess } from '../support/worker-process';

// Each fragment spreads the next one twice: `n` fragments (~40 bytes each) expand to 2^n selections.
function fragmentBomb(n: number, fields = ''): string {
  const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ${fields} ...F${i + 1} ...F${i + 1} }`);
  return `query Bomb { ...F0 } ${fragments.join(' ')} fragment F${n} on Query { __typename }`;
}

type Answer = { status: number; errors?: GraphQLFormattedError[] };

async function post(url: string, query: string): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, ...((await res.json()) as { errors?: GraphQLFormattedError[] }) };
}

// The attacks run against a server in a process of its own: without the fix one request blocks
// that process for good, and this test then fails on its timeout instead of hanging Jest too.
describe('fragment fan-out (a "fragment bomb") against a running server process', () => {
  let t: TestApp;
  let server: ChildProcess & { output: () => string };
  let url: string;
  beforeAll(async () => {
    t = await startTestApp();
    // A token cap above the default (1,000), so the 200-fragment bomb (2,013 tokens) reaches the limits.
    server = spawnWorker(t, { ROLE: 'api', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', GRAPHQL_MAX_TOKENS: '5000', UNIPILE_WEBHOOK_SECRET: 'bomb-webhook-secret-0123456789', METRICS_TOKEN: 'bomb-metrics-token-0123456789' });
    url = await waitFor(() => /"url":"(http:\/\/[^"]+)\/graphql"/.exec(server.output())?.[1], 60_000, 'the server process to listen');
  }, 90_000);
  afterAll(async () => {
    await stopProcess(server, 'SIGKILL');
    await t.stop();
  });

  it('should refuse 20 anonymous 40-fragment bombs with 400 QUERY_TOO_COMPLEX while /healthz keeps answering', async () => {
    const bombs = Array.from({ length: 20 }, (_, i) => post(url, fragmentBomb(40, i % 2 ? 'me { id }' : '')));
    const during = await fetch(`${url}/healthz`);
    expect(during.status).toBe(200);
    for (const answer of await Promise.all(bombs)) {
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxSelections: 10_000 });
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('should refuse a 200-fragment bomb (8 KB) the same way', async () => {
    const answer = await post(url, fragmentBomb(200));
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('should refuse a document over GRAPHQL_MAX_TOKENS while parsing it, with 400 GRAPHQL_PARSE_FAILED', async () => {
    const answer = await post(url, `{ ${Array.from({ length: 2_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(answer.errors?.[0].message).toContain('tokens');
  });

  it('should refuse the bomb over graphql-ws too, and keep serving the socket', async () => {
    const token = await loginToken(`${url}/graphql`, TEST_ADMIN.email, TEST_ADMIN.password);
    const { client } = wsClient(`${url.replace(/^http/, 'ws')}/graphql`, { Authorization: `Bearer ${token}` });
    const run = (query: string) =>
      new Promise<{ data?: unknown; errors?: readonly GraphQLFormattedError[] }>((resolve) => {
        client.subscribe(
          { query },
          { next: (value) => resolve(value), error: (e) => resolve({ errors: e as GraphQLFormattedError[] }), complete: () => undefined },
        );
      });
    try {
      expect((await run(fragmentBomb(40))).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect((await run('{ __typename }')).data).toEqual({ __typename: 'Query' });
    } finally {
      await client.dispose();
    }
  });
});
