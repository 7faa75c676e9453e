import { IntrospectionProbeDocument, MeDocument } from '../graphql/generated';
import { createUser } from '../factories/user.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';
import { Role } from '../../src/core/graphql/viewer';

describe('HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('should answer /healthz and report each dependency on /readyz', async () => {
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, jobStore: { status: 'ok' } } });
  });

  it('should echo a caller request id and generate one otherwise', async () => {
    const given = await fetch(`${t.baseUrl}/healthz`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await fetch(`${t.baseUrl}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should answer an unknown route with a JSON 404', async () => {
    const res = await fetch(`${t.baseUrl}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('should serve GraphiQL to a browser with its assets from npm, not a CDN', async () => {
    const page = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL.createFetcher');
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn|esm\.sh)/);
    const assets = [...html.matchAll(/(?:src|href)="(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      const res = await fetch(`${t.baseUrl}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('should refuse a cross-site form POST (CSRF prevention stays on)', async () => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(400);
  });

  it('should allow introspection to anyone outside production', async () => {
    const res = await gql(t.graphqlUrl, IntrospectionProbeDocument, {});
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('should reject a request body over the size limit with 413', async () => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(17 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
  });
});

describe('HTTP surface in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(() => t.stop());

  it('should refuse introspection without a token and to a member, and allow it to an admin', async () => {
    expect(errorCode(await gql(t.graphqlUrl, IntrospectionProbeDocument, {}))).toBe('FORBIDDEN');

    const adminToken = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
    const member = await createUser(t.app.dataSource, { workspaceId: me.workspaceId, role: Role.MEMBER });
    const memberToken = await loginToken(t.graphqlUrl, member.email);
    expect(errorCode(await gql(t.graphqlUrl, IntrospectionProbeDocument, {}, memberToken))).toBe('FORBIDDEN');

    const res = await gql(t.graphqlUrl, IntrospectionProbeDocument, {}, adminToken);
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('should serve the explorer page asking for an admin sign-in', async () => {
    const html = await (await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('const requireAdmin = true;');
  });
});
