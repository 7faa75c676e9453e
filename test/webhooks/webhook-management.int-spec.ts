import { DeleteWebhookDocument, EnsureWebhooksDocument, RegisterWebhookDocument, WebhooksDocument } from '../graphql/generated';
import { Role } from '../../src/core/graphql/viewer';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';
import { eventually } from '../support/polling';

const SECRET = 'management-secret-0123456789';
const MESSAGING_EVENTS = ['message_received', 'message_read', 'message_reaction', 'message_edited', 'message_deleted'];

describe('webhook management', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp({ UNIPILE_WEBHOOK_SECRET: SECRET });
    admin = await adminSession(t);
  });
  afterAll(() => t.stop());
  beforeEach(() => t.app.sandbox!.store.webhooks.clear());

  const hooks = () => [...t.app.sandbox!.store.webhooks.values()];
  const url = (route: string) => `${t.baseUrl}/api/webhooks/unipile/${route}`;
  const json = [{ key: 'Content-Type', value: 'application/json' }];
  const auth = [...json, { key: 'Unipile-Auth', value: SECRET }];

  it("should repair the seed's misconfigured sandbox: one correct webhook per source, foreign ones untouched, idempotent", async () => {
    const unipile = t.app.unipile;
    // The production incident: the messaging webhook pointing at the users route, without the secret.
    const wrongMessaging = await unipile.createWebhook({ requestUrl: url('users'), source: 'messaging', name: 'messaging', headers: json, events: ['message_received'] });
    const goodUsers = await unipile.createWebhook({ requestUrl: url('users'), source: 'users', name: 'linkedin-outreach-users', headers: auth });
    const duplicateUsers = await unipile.createWebhook({ requestUrl: url('users'), source: 'users', name: 'users-copy', headers: auth });
    // Another system's webhook (disabled here, so the sandbox does not try to reach it).
    const foreign = await unipile.createWebhook({ requestUrl: 'https://crm.example.com/hooks/unipile', source: 'messaging', name: 'crm', headers: json, enabled: false });

    const before = (await gqlOk(t.graphqlUrl, WebhooksDocument, {}, admin.token)).webhooks;
    expect(before.find((w) => w.id === wrongMessaging)).toMatchObject({ managed: true, problems: expect.arrayContaining([expect.stringMatching(/request_url/), expect.stringMatching(/Unipile-Auth/)]) });
    expect(before.find((w) => w.id === foreign)).toMatchObject({ managed: false, problems: [] });
    expect(before.flatMap((w) => w.headerKeys)).toContain('Unipile-Auth');
    expect(JSON.stringify(before)).not.toContain(SECRET);

    const { ensureWebhooks } = await gqlOk(t.graphqlUrl, EnsureWebhooksDocument, {}, admin.token);
    expect(ensureWebhooks.deleted.sort()).toEqual([duplicateUsers, wrongMessaging].sort());
    expect(ensureWebhooks.kept).toEqual([goodUsers]);
    expect(ensureWebhooks.created).toHaveLength(2);

    const bySource = (source: string) => hooks().filter((h) => h.source === source && h.requestUrl.startsWith(t.baseUrl));
    expect(bySource('messaging')).toEqual([
      expect.objectContaining({ requestUrl: url('messaging'), enabled: true, accountIds: null, headers: auth, events: MESSAGING_EVENTS }),
    ]);
    expect(bySource('users')).toEqual([expect.objectContaining({ id: goodUsers, requestUrl: url('users') })]);
    expect(bySource('account_status')).toEqual([expect.objectContaining({ requestUrl: url('account-status'), headers: auth })]);
    expect(hooks().map((h) => h.id)).toContain(foreign);
    expect(ensureWebhooks.webhooks.filter((w) => w.managed).every((w) => w.problems.length === 0)).toBe(true);

    const again = (await gqlOk(t.graphqlUrl, EnsureWebhooksDocument, {}, admin.token)).ensureWebhooks;
    expect(again).toMatchObject({ created: [], deleted: [] });
    expect(again.kept).toHaveLength(3);

    // The repaired registration delivers a message to the messaging route, with the secret.
    const account = t.app.sandbox!.createAccount();
    const prospect = t.app.sandbox!.prospects()[0];
    t.app.sandbox!.connect(account.id, prospect.providerId);
    await t.app.unipile.startChat(account.id, { attendeeProviderIds: [prospect.providerId], text: 'Hello' });
    await t.app.sandbox!.settle();
    const delivered = t.app.sandbox!.deliveries().filter((d) => d.accountId === account.id && d.source === 'messaging');
    expect(delivered.map((d) => [d.requestUrl, d.state, d.attempts.at(-1)?.status])).toEqual([[url('messaging'), 'delivered', 200]]);
    await eventually(async () => {
      const rows = await t.app.dataSource.query(`SELECT source, route FROM webhook_event WHERE unipile_account_id = $1 ORDER BY source`, [account.id]);
      expect(rows).toEqual([
        { source: 'account_status', route: 'account-status' },
        { source: 'messaging', route: 'messaging' },
      ]);
    });
  });

  it('should register and delete webhooks one at a time', async () => {
    const { registerWebhook } = await gqlOk(t.graphqlUrl, RegisterWebhookDocument, { source: 'ACCOUNT_STATUS' }, admin.token);
    expect(registerWebhook).toMatchObject({ source: 'account_status', requestUrl: url('account-status'), managed: true, problems: [], headerKeys: ['Content-Type', 'Unipile-Auth'] });
    expect(hooks().map((h) => h.id)).toEqual([registerWebhook.id]);

    expect((await gqlOk(t.graphqlUrl, DeleteWebhookDocument, { id: registerWebhook.id }, admin.token)).deleteWebhook).toBe(true);
    expect(hooks()).toEqual([]);
    expect(errorCode(await gql(t.graphqlUrl, DeleteWebhookDocument, { id: registerWebhook.id }, admin.token))).toBe('NOT_FOUND');
  });

  it('should refuse members and anonymous callers', async () => {
    const member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    expect(errorCode(await gql(t.graphqlUrl, EnsureWebhooksDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(t.graphqlUrl, WebhooksDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(t.graphqlUrl, RegisterWebhookDocument, { source: 'USERS' }))).toBe('UNAUTHENTICATED');
    expect(hooks()).toEqual([]);
  });

  it('should report UNIPILE_UNAVAILABLE when Unipile fails', async () => {
    t.app.sandbox!.faults.add({ kind: 'server_error', times: 3, match: { route: '/api/v1/webhooks' } });
    expect(errorCode(await gql(t.graphqlUrl, EnsureWebhooksDocument, {}, admin.token))).toBe('UNIPILE_UNAVAILABLE');
    t.app.sandbox!.faults.clear();
  });
});
