import { type GraphQLFormattedError, print } from 'graphql';
import { AddLeadsDocument, LeadsDocument, LoginDocument, ReplyAnalyticsDocument } from '../graphql/generated';
import { errorCode, gql, wsClient } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { type Session, adminSession } from '../support/workspace';
import { draftCampaign, linkAccount } from '../webhooks/support/campaign-fixtures';

const NUL = '\u0000';

async function post(t: TestApp, body: unknown, token?: string): Promise<{ status: number; errors?: GraphQLFormattedError[] }> {
  const res = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as { errors?: GraphQLFormattedError[] }) };
}

describe('bad input answered as the caller\'s error, never INTERNAL_SERVER_ERROR', () => {
  let t: TestApp;
  let admin: Session;
  let campaignId: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminSession(t);
    campaignId = await draftCampaign(t, admin, [(await linkAccount(t, admin)).id]);
  });
  afterAll(() => t.stop());

  const leadCount = async () => Number((await t.app.dataSource.query('SELECT count(*)::int AS n FROM lead'))[0].n);

  describe('a NUL character in a string input', () => {
    it('should refuse it in an anonymous login email (a variable) with 400 BAD_USER_INPUT', async () => {
      const res = await gql(t.graphqlUrl, LoginDocument, { email: `admin${NUL}@test.example`, password: 'whatever-password' });
      expect(res.status).toBe(400);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: '$email' });
    });

    it('should refuse it in an inline literal (an escaped \\u0000 in the query)', async () => {
      const res = await post(t, { query: 'mutation { login(email: "a\\u0000@test.example", password: "whatever-password") { token } }' });
      expect(res.status).toBe(400);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('should refuse it nested in input objects and lists, in values and in JSON keys, writing nothing', async () => {
      const before = await leadCount();
      const inValue = await gql(
        t.graphqlUrl,
        AddLeadsDocument,
        { campaignId, leads: [{ publicIdentifier: 'clean-one' }, { publicIdentifier: 'nul-two', firstName: `Ja${NUL}ne` }] },
        admin.token,
      );
      expect(inValue.status).toBe(400);
      expect(inValue.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: '$leads[1].firstName' });
      const inKey = await gql(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: [{ publicIdentifier: 'nul-key', customFields: { [`ro${NUL}le`]: 'CTO' } }] }, admin.token);
      expect(inKey.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const inline = await post(
        t,
        { query: `mutation { addLeads(campaignId: "${campaignId}", leads: [{ publicIdentifier: "x" }, { publicIdentifier: "y", company: "A\\u0000B" }]) { created } }` },
        admin.token,
      );
      expect(inline.status).toBe(400);
      expect(inline.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await leadCount()).toBe(before);
    });

    it('should refuse it over graphql-ws as well', async () => {
      const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${admin.token}` });
      try {
        const errors = await new Promise<readonly GraphQLFormattedError[]>((resolve) => {
          client.subscribe(
            { query: print(LeadsDocument), variables: { search: `Smith${NUL}` } },
            { next: (value) => resolve(value.errors ?? []), error: (e) => resolve(e as GraphQLFormattedError[]), complete: () => undefined },
          );
        });
        expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: '$search' });
      } finally {
        await client.dispose();
      }
    });
  });

  it('should answer an APQ hash that does not match its query with 400 BAD_REQUEST', async () => {
    const res = await post(t, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('should answer replyAnalytics for days past 9999-12-30 with BAD_USER_INPUT on the field', async () => {
    for (const [from, to] of [['9999-12-31', '9999-12-31'], ['9999-12-30', '9999-12-31']]) {
      const res = await gql(t.graphqlUrl, ReplyAnalyticsDocument, { from, to }, admin.token);
      expect({ from, to, code: errorCode(res) }).toEqual({ from, to, code: 'BAD_USER_INPUT' });
    }
    expect(errorCode(await gql(t.graphqlUrl, ReplyAnalyticsDocument, { from: '9999-12-30', to: '9999-12-30', timezone: 'Pacific/Kiritimati' }, admin.token))).toBeUndefined();
  });
});
