import { serverAudits } from 'graphql-http';
import type { DataSource } from 'typeorm';
import {
  AddLeadsDocument,
  AddToDoNotContactDocument,
  CampaignSummaryDocument,
  CampaignsDocument,
  CreateCampaignDocument,
  EnsureWebhooksDocument,
  LoginDocument,
  MeDocument,
  ReplyReceivedDocument,
  SetCampaignStatusDocument,
  UpdateAccountDocument,
  WebhookStatusDocument,
} from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { FACTORY_PASSWORD, createUser } from '../factories/user.factory';
import { type GraphQLResponse, gql, gqlOk, takeSubscription, wsClient } from '../support/graphql-client';
import { eventually, waitFor } from '../support/polling';
import { TEST_ADMIN, type TestApp, startEmbeddedTestApp } from '../support/test-app';
import { adminSession, type Session } from '../support/workspace';
import { accountStatus, messageReceived, newRelation, postWebhook, type PostResult } from '../webhooks/support/unipile-payloads';

const SECRET = 'embedded-secret-0123456789abcdef';
const AUTH = { 'Unipile-Auth': SECRET };
const ALWAYS = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7] };

/**
 * The default every new user runs (`npm start`: no DATABASE_URL, PGlite under DATA_DIR), under the
 * load and the failures it must take: many clients at once, transactions that roll back, bursts of
 * duplicated webhooks, live updates. The engine runs (role all) throughout.
 */
describe('the embedded database default', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startEmbeddedTestApp(
      { UNIPILE_WEBHOOK_SECRET: SECRET, SCAN_INTERVAL: '1s', MIN_ACTION_GAP: '1s', ACTION_JITTER: '1s' },
      { role: 'all', sandbox: { reply: { probability: 0 }, acceptance: { probability: 0 } } },
    );
    admin = await adminSession(t);
    await gqlOk(t.graphqlUrl, EnsureWebhooksDocument, {}, admin.token);
  }, 180_000); // a fresh PGlite: initdb and every migration
  afterAll(async () => {
    await t.app.sandbox?.settle();
    await t.stop();
  });

  it('should really be the embedded database, reachable only through a private unix socket', async () => {
    const [{ version }] = await t.app.dataSource.query(`SELECT version()`);
    expect(version).toMatch(/PostgreSQL/);
    const url = new URL((t.app.dataSource.options as { url: string }).url);
    expect(url.searchParams.get('host')).toMatch(/^\//); // a socket directory, no TCP port
  });

  it('should keep transactions whole: of two concurrent ones, the one rolled back leaves nothing and the other everything', async () => {
    const ds: DataSource = t.app.dataSource;
    await ds.query(`CREATE TABLE tx_probe (tx text, n int)`);
    let aInside!: () => void;
    const aStarted = new Promise<void>((r) => (aInside = r));
    let releaseA!: () => void;
    const aMayFinish = new Promise<void>((r) => (releaseA = r));
    const a = ds.transaction(async (em) => {
      await em.query(`INSERT INTO tx_probe VALUES ('a', 1)`);
      aInside();
      await aMayFinish;
      await em.query(`INSERT INTO tx_probe VALUES ('a', 2)`);
      throw new Error('roll back a');
    });
    await aStarted;
    // b starts while a is open (a pool client of its own) and writes twice.
    const b = ds.transaction(async (em) => {
      await em.query(`INSERT INTO tx_probe VALUES ('b', 1)`);
      await em.query(`INSERT INTO tx_probe VALUES ('b', 2)`);
    });
    releaseA();
    await expect(a).rejects.toThrow('roll back a');
    await b;
    expect(await ds.query(`SELECT tx, n FROM tx_probe ORDER BY tx, n`)).toEqual([
      { tx: 'b', n: 1 },
      { tx: 'b', n: 2 },
    ]);
  });

  it('should answer 200 parallel mixed requests without an error, and normally afterwards', async () => {
    const account = await linkSandboxAccount(t, admin.token);
    await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: ALWAYS }, admin.token);
    const [{ owner_provider_id: owner }] = await t.app.dataSource.query(`SELECT owner_provider_id FROM linkedin_account WHERE id = $1`, [account.id]);
    const { createCampaign } = await gqlOk(
      t.graphqlUrl,
      CreateCampaignDocument,
      { input: { name: 'Embedded load', senderAccountIds: [account.id], steps: [{ kind: 'INVITE', delayMinutes: 0 }] } },
      admin.token,
    );
    const prospects = t.app.sandbox!.prospects();
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: prospects.slice(0, 20).map((p) => ({ providerId: p.providerId })) }, admin.token);
    await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: createCampaign.id, status: 'ACTIVE' }, admin.token);

    // Twenty people signing in at once, each once.
    const people = await Promise.all(Array.from({ length: 20 }, () => createUser(t.app.dataSource)));
    // A subscriber is connected throughout.
    const subscriber = wsClient(t.wsUrl, { Authorization: `Bearer ${admin.token}` });
    const subscription = takeSubscription(subscriber.client, ReplyReceivedDocument, {}, 1);

    const webhookBodies = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? messageReceived({ accountId: account.unipileAccountId, ownerProviderId: owner, senderProviderId: `ACoAAStranger${i}` })
        : newRelation({ accountId: account.unipileAccountId, providerId: `ACoAANobody${i}` }),
    );
    type Outcome = GraphQLResponse<unknown> | PostResult;
    const requests: Array<() => Promise<Outcome>> = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 10;
      if (kind <= 2) requests.push(() => gql(t.graphqlUrl, MeDocument, {}, admin.token));
      else if (kind === 3) requests.push(() => gql(t.graphqlUrl, CampaignsDocument, {}, admin.token));
      else if (kind === 4) requests.push(() => gql(t.graphqlUrl, CampaignSummaryDocument, { campaignId: createCampaign.id }, admin.token));
      else if (kind === 5) requests.push(() => gql(t.graphqlUrl, LoginDocument, { email: people[Math.floor(i / 10)].email, password: FACTORY_PASSWORD }));
      else if (kind === 6) requests.push(() => gql(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: [{ publicIdentifier: `load-${i}` }] }, admin.token));
      else if (kind === 7) requests.push(() => gql(t.graphqlUrl, AddToDoNotContactDocument, { entries: [{ publicIdentifier: `dnc-${i}` }] }, admin.token));
      else requests.push(() => postWebhook(t.baseUrl, 'messaging', webhookBodies[i % webhookBodies.length], AUTH)); // each body ~5 times
    }
    const outcomes = await Promise.all(requests.map((send) => send()));
    const failures = outcomes.filter((o) => o.status !== 200 || ('errors' in o && o.errors));
    expect(failures).toEqual([]);

    // Afterwards: ordinary answers; each webhook stored (once: the key is unique) and processed on its first attempt.
    expect((await gqlOk(t.graphqlUrl, MeDocument, {}, admin.token)).me.email).toBe(TEST_ADMIN.email);
    const expectedKeys = webhookBodies.map((b) =>
      'message_id' in b ? `messaging:message_received:${b.message_id}` : `users:new_relation:${account.unipileAccountId}:${b.user_provider_id}`,
    );
    await eventually(async () => {
      const rows: Array<{ provider_key: string; attempts: number; processed: boolean }> = await t.app.dataSource.query(
        `SELECT provider_key, attempts, processed_at IS NOT NULL AS processed FROM webhook_event
         WHERE unipile_account_id = $1 AND source <> 'account_status' ORDER BY provider_key`,
        [account.unipileAccountId],
      );
      expect(rows).toEqual([...expectedKeys].sort().map((provider_key) => ({ provider_key, attempts: 1, processed: true })));
    });
    await waitFor(() => t.app.sandbox!.sentInvitations(account.unipileAccountId).length > 0 || undefined, 20_000, 'the engine to send');
    await subscriber.client.dispose();
    subscription.catch(() => undefined);
  }, 120_000);

  it('should store and process a burst of real payloads delivered 5 times each, once, and deliver the replies live', async () => {
    const account = await linkSandboxAccount(t, admin.token);
    const [{ owner_provider_id: owner }] = await t.app.dataSource.query(`SELECT owner_provider_id FROM linkedin_account WHERE id = $1`, [account.id]);
    const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Embedded burst', senderAccountIds: [account.id] } }, admin.token);
    const people = t.app.sandbox!.prospects().slice(100, 120);
    const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: people.map((p) => ({ providerId: p.providerId })) }, admin.token);
    const leadIds = addLeads.rows.map((r) => r.leadId!);
    await t.app.dataSource.query(
      `UPDATE lead SET status = 'invite_sent', account_id = $2, invite_sent_at = now(), last_step_sent_at = now(), next_step_index = 1 WHERE id = ANY($1)`,
      [leadIds, account.id],
    );

    // Ten acceptances, ten replies, and the account reported broken then fine again.
    const bodies: Array<{ route: string; body: unknown }> = [
      ...people.slice(0, 10).map((p) => ({ route: 'users', body: newRelation({ accountId: account.unipileAccountId, providerId: p.providerId }) })),
      ...people.slice(10).map((p, i) => ({
        route: 'messaging',
        body: messageReceived({ accountId: account.unipileAccountId, ownerProviderId: owner, senderProviderId: p.providerId, text: `Reply ${i}` }),
      })),
    ];
    const [{ max }] = await t.app.dataSource.query(`SELECT coalesce(max(id), 0)::text AS max FROM live_event`);
    const live = wsClient(t.wsUrl, { Authorization: `Bearer ${admin.token}` });
    const replies = takeSubscription(live.client, ReplyReceivedDocument, { campaignId: createCampaign.id, after: max }, 10);

    const answers = await Promise.all(bodies.flatMap(({ route, body }) => Array.from({ length: 5 }, () => postWebhook(t.baseUrl, route, body, AUTH))));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Each delivery stored once: one "stored", four "duplicate".
    expect(answers.filter((a) => a.body.status === 'stored')).toHaveLength(bodies.length);
    const broken = await postWebhook(t.baseUrl, 'account-status', accountStatus(account.unipileAccountId, 'CREDENTIALS'), AUTH);
    expect(broken.body.status).toBe('stored');
    await eventually(async () => expect((await t.app.dataSource.query(`SELECT status FROM linkedin_account WHERE id = $1`, [account.id]))[0].status).toBe('DISCONNECTED'));
    await Promise.all(Array.from({ length: 5 }, () => postWebhook(t.baseUrl, 'account-status', accountStatus(account.unipileAccountId, 'OK'), AUTH)));

    await eventually(async () => {
      const [row]: Array<{ stored: number; processed: number; retried: number }> = await t.app.dataSource.query(
        `SELECT count(*)::int AS stored, count(processed_at)::int AS processed, count(*) FILTER (WHERE attempts <> 1)::int AS retried
         FROM webhook_event WHERE unipile_account_id = $1 AND event <> 'CREATION_SUCCESS'`, // not the sandbox's own announcement of the new account
        [account.unipileAccountId],
      );
      expect(row).toEqual({ stored: bodies.length + 2, processed: bodies.length + 2, retried: 0 });
    }, 20_000);
    const statuses: Array<{ status: string; n: number }> = await t.app.dataSource.query(
      `SELECT status, count(*)::int AS n FROM lead WHERE id = ANY($1) GROUP BY status ORDER BY status`,
      [leadIds],
    );
    expect(statuses).toEqual([
      { status: 'connected', n: 10 },
      { status: 'responded', n: 10 },
    ]);
    const events: Array<{ type: string; n: number }> = await t.app.dataSource.query(
      `SELECT type, count(*)::int AS n FROM lead_event WHERE lead_id = ANY($1) AND type IN ('connection_accepted', 'message_received') GROUP BY type ORDER BY type`,
      [leadIds],
    );
    expect(events).toEqual([
      { type: 'connection_accepted', n: 10 },
      { type: 'message_received', n: 10 },
    ]);
    expect((await t.app.dataSource.query(`SELECT status FROM linkedin_account WHERE id = $1`, [account.id]))[0].status).toBe('ACTIVE');
    const received = await replies;
    expect(received.map((r) => r.data?.replyReceived.text).sort()).toEqual(people.slice(10).map((_, i) => `Reply ${i}`).sort());
    const { webhookStatus } = await gqlOk(t.graphqlUrl, WebhookStatusDocument, { campaignId: createCampaign.id }, admin.token);
    expect(webhookStatus.webhooks).toMatchObject({ unprocessed: 0, abandoned: 0 });
    await live.client.dispose();
  }, 120_000);

  it('should deliver a reply forced in the sandbox to a running replyReceived subscription (the GraphiQL session)', async () => {
    const account = await linkSandboxAccount(t, admin.token);
    const [prospect] = t.app.sandbox!.prospects().slice(200, 201);
    t.app.sandbox!.connect(account.unipileAccountId, prospect.providerId);
    const chat = await t.app.unipile.startChat(account.unipileAccountId, { attendeeProviderIds: [prospect.providerId], text: 'Hello there' });
    const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Embedded live', senderAccountIds: [account.id] } }, admin.token);
    const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId: createCampaign.id, leads: [{ providerId: prospect.providerId }] }, admin.token);
    await t.app.dataSource.query(`UPDATE lead SET status = 'messaged', chat_id = $2, account_id = $3 WHERE id = $1`, [addLeads.rows[0].leadId, chat.chat_id, account.id]);
    const [{ max }] = await t.app.dataSource.query(`SELECT coalesce(max(id), 0)::text AS max FROM live_event`);
    const live = wsClient(t.wsUrl, { Authorization: `Bearer ${admin.token}` });
    const reply = takeSubscription(live.client, ReplyReceivedDocument, { after: max }, 1);
    t.app.sandbox!.reply(chat.chat_id!, 'Happy to talk');
    const [event] = await reply;
    expect(event.data?.replyReceived).toMatchObject({ leadId: addLeads.rows[0].leadId, text: 'Happy to talk', source: 'webhook' });
    await live.client.dispose();
  });

  it('should pass the GraphQL-over-HTTP compliance audit every time', async () => {
    for (let run = 0; run < 3; run++) {
      const audits = await serverAudits({ url: t.graphqlUrl, fetchFn: fetch });
      const failed = [];
      for (const audit of audits) {
        const result = await audit.fn();
        if (result.status === 'error') failed.push(`${audit.name}: ${result.reason}`);
      }
      expect(failed).toEqual([]);
    }
  }, 120_000);
});
