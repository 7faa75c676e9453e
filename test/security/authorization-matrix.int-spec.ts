import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { buildAppSchema } from '../../src/modules';
import { Role } from '../../src/core/graphql/viewer';
import { linkSandboxAccount } from '../factories/account.factory';
import { createUser } from '../factories/user.factory';
import { AddLeadsDocument, AddToDoNotContactDocument, CreateCampaignDocument, MeDocument } from '../graphql/generated';
import { gqlOk, wsClient } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';

type World = {
  workspaceId: string;
  adminEmail: string;
  memberId: string;
  campaignId: string;
  accountId: string;
  unipileAccountId: string;
  leadId: string;
  dncId: string;
};

/**
 * access: who may call it (user: any signed-in member; admin: a workspace admin; operator: an
 * instance operator). tenant: what a signed-in admin of ANOTHER workspace gets when passing this
 * workspace's ids (an error code, or NO_LEAK: any answer, but none of this workspace's data); for
 * operator operations, what an operator of another workspace gets (an admin who is not an
 * operator always gets FORBIDDEN). args: the GraphQL arguments, built from this workspace's ids.
 */
type Rule = { access: 'public' | 'user' | 'admin' | 'operator'; tenant: string; args?: (w: World) => string };

const NO_LEAK = 'NO_LEAK';
const camp = (w: World) => `campaignId: "${w.campaignId}"`;
const member = (w: World) => `userId: "${w.memberId}"`;

const RULES: Record<string, Rule> = {
  // Query
  accounts: { access: 'user', tenant: NO_LEAK },
  account: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.accountId}"` },
  unipileAccounts: { access: 'admin', tenant: NO_LEAK },
  migrationsStatus: { access: 'operator', tenant: NO_LEAK },
  debugTiming: { access: 'admin', tenant: 'NOT_FOUND', args: camp },
  conversationIds: { access: 'admin', tenant: 'NOT_FOUND', args: camp },
  auditLog: { access: 'admin', tenant: NO_LEAK },
  campaignSummary: { access: 'user', tenant: 'NOT_FOUND', args: camp },
  campaignTimeseries: { access: 'user', tenant: 'NOT_FOUND', args: camp },
  accountRateUsage: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `accountId: "${w.accountId}"` },
  replyAnalytics: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `campaignId: "${w.campaignId}", from: "2026-01-01", to: "2026-01-31"` },
  automationStatus: { access: 'user', tenant: 'NOT_FOUND', args: camp },
  me: { access: 'user', tenant: NO_LEAK },
  users: { access: 'admin', tenant: NO_LEAK },
  campaigns: { access: 'user', tenant: NO_LEAK },
  campaign: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.campaignId}"` },
  doNotContact: { access: 'user', tenant: NO_LEAK },
  leads: { access: 'user', tenant: NO_LEAK, args: camp },
  lead: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.leadId}"` },
  leadTimeline: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `leadId: "${w.leadId}"` },
  liveEvents: { access: 'user', tenant: NO_LEAK, args: () => `after: "0"` },
  notificationSettings: { access: 'admin', tenant: NO_LEAK },
  notificationChannels: { access: 'admin', tenant: NO_LEAK },
  notificationDeliveries: { access: 'admin', tenant: NO_LEAK },
  notificationDelivery: { access: 'admin', tenant: 'NOT_FOUND', args: () => `id: "00000000-0000-4000-8000-000000000000"` },
  schedulerStatus: { access: 'user', tenant: NO_LEAK },
  syncRun: { access: 'user', tenant: 'NOT_FOUND', args: () => `id: "00000000-0000-4000-8000-000000000000"` },
  syncRuns: { access: 'user', tenant: NO_LEAK },
  webhooks: { access: 'operator', tenant: NO_LEAK },
  webhookStatus: { access: 'user', tenant: 'NOT_FOUND', args: camp },
  // Mutation
  linkAccount: { access: 'admin', tenant: 'UNIPILE_ACCOUNT_ALREADY_LINKED', args: (w) => `input: { unipileAccountId: "${w.unipileAccountId}" }` },
  updateAccount: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.accountId}", input: { dailyInviteCap: 1 }` },
  runMigrations: { access: 'operator', tenant: NO_LEAK },
  debugSendChat: { access: 'admin', tenant: 'NOT_FOUND', args: (w) => `leadId: "${w.leadId}", text: "hello"` },
  revokeAllTokens: { access: 'admin', tenant: NO_LEAK },
  setUserRole: { access: 'admin', tenant: 'NOT_FOUND', args: (w) => `${member(w)}, role: ADMIN` },
  setOperator: { access: 'operator', tenant: 'NOT_FOUND', args: (w) => `${member(w)}, operator: true` },
  deactivateUser: { access: 'admin', tenant: 'NOT_FOUND', args: member },
  reactivateUser: { access: 'admin', tenant: 'NOT_FOUND', args: member },
  deleteUser: { access: 'admin', tenant: 'NOT_FOUND', args: member },
  changePassword: { access: 'user', tenant: 'INVALID_CREDENTIALS', args: () => `currentPassword: "not-the-password", newPassword: "a-fine-long-passphrase"` },
  login: { access: 'public', tenant: 'INVALID_CREDENTIALS', args: (w) => `email: "${w.adminEmail}", password: "not-the-password"` },
  createUser: { access: 'admin', tenant: NO_LEAK, args: () => `input: { email: "matrix-new@test.example", password: "a-fine-long-passphrase" }` },
  createWorkspace: { access: 'operator', tenant: NO_LEAK, args: () => `input: { name: "Matrix C", adminEmail: "matrix-c@test.example", adminPassword: "a-fine-long-passphrase" }` },
  createCampaign: { access: 'user', tenant: 'UNKNOWN_ACCOUNT', args: (w) => `input: { name: "Stolen sender", senderAccountIds: ["${w.accountId}"] }` },
  updateCampaign: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.campaignId}", input: { name: "Renamed" }` },
  setCampaignStatus: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.campaignId}", status: PAUSED` },
  setSequence: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `campaignId: "${w.campaignId}", steps: [{ kind: INVITE, delayMinutes: 0 }]` },
  addToDoNotContact: { access: 'user', tenant: NO_LEAK, args: () => `entries: [{ publicIdentifier: "matrix-b-dnc" }]` },
  removeFromDoNotContact: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.dncId}"` },
  addLeads: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `campaignId: "${w.campaignId}", leads: [{ publicIdentifier: "matrix-intruder" }]` },
  importLeadsCsv: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `campaignId: "${w.campaignId}", csv: "public_identifier\\nmatrix-intruder"` },
  removeLead: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `id: "${w.leadId}"` },
  updateNotificationSettings: { access: 'admin', tenant: NO_LEAK, args: () => `input: { emailEnabled: false }` },
  createNotificationChannel: { access: 'admin', tenant: NO_LEAK, args: () => `input: { kind: EMAIL, name: "B mail", recipients: ["b@test.example"] }` },
  updateNotificationChannel: { access: 'admin', tenant: 'NOT_FOUND', args: () => `id: "00000000-0000-4000-8000-000000000000", input: { name: "x" }` },
  deleteNotificationChannel: { access: 'admin', tenant: 'NOT_FOUND', args: () => `id: "00000000-0000-4000-8000-000000000000"` },
  createNotificationRule: { access: 'admin', tenant: 'NOT_FOUND', args: (w) => `input: { channelId: "00000000-0000-4000-8000-000000000000", eventType: CAMPAIGN_COMPLETED, campaignId: "${w.campaignId}" }` },
  deleteNotificationRule: { access: 'admin', tenant: 'NOT_FOUND', args: () => `id: "00000000-0000-4000-8000-000000000000"` },
  replayNotification: { access: 'admin', tenant: 'NOT_FOUND', args: () => `deliveryId: "00000000-0000-4000-8000-000000000000"` },
  pauseScheduler: { access: 'operator', tenant: NO_LEAK },
  resumeScheduler: { access: 'operator', tenant: NO_LEAK },
  pauseWorkspaceSending: { access: 'admin', tenant: NO_LEAK, args: () => `reason: "matrix"` },
  resumeWorkspaceSending: { access: 'admin', tenant: NO_LEAK },
  simulateCampaign: { access: 'user', tenant: 'NOT_FOUND', args: (w) => `campaignId: "${w.campaignId}", days: 1` },
  syncHistoricalConnections: { access: 'admin', tenant: 'NOT_FOUND', args: camp },
  backfillConversations: { access: 'admin', tenant: 'NOT_FOUND', args: camp },
  backfillRateUsage: { access: 'admin', tenant: 'NOT_FOUND', args: (w) => `accountId: "${w.accountId}"` },
  registerWebhook: { access: 'operator', tenant: NO_LEAK, args: () => `source: MESSAGING` },
  deleteWebhook: { access: 'operator', tenant: NO_LEAK, args: () => `id: "matrix-no-such-webhook"` },
  ensureWebhooks: { access: 'operator', tenant: NO_LEAK },
  retryWebhookEvents: { access: 'admin', tenant: NO_LEAK },
  // Subscription
  replyReceived: { access: 'user', tenant: NO_LEAK, args: camp },
  leadStatusChanged: { access: 'user', tenant: NO_LEAK, args: camp },
  campaignStatsChanged: { access: 'user', tenant: NO_LEAK, args: camp },
  accountStatusChanged: { access: 'user', tenant: NO_LEAK, args: (w) => `accountId: "${w.accountId}"` },
  jobProgress: { access: 'user', tenant: NO_LEAK, args: () => `jobId: "00000000-0000-4000-8000-000000000000"` },
  heartbeat: { access: 'user', tenant: NO_LEAK, args: () => `intervalSeconds: 1` },
};

// Scalars two levels down (connections reach their nodes), so a leak has somewhere to show.
function selection(type: GraphQLOutputType, depth = 2): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const fields = Object.values(named.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
  const parts = fields.flatMap((f) => {
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) return [f.name];
    return depth > 0 && isObjectType(inner) ? [`${f.name} ${selection(f.type, depth - 1)}`] : [];
  });
  return `{ __typename ${parts.join(' ')} }`;
}

type Op = { kind: 'query' | 'mutation' | 'subscription'; field: GraphQLField<unknown, unknown>; rule: Rule };

function operations(schema: GraphQLSchema): Op[] {
  const roots: Array<[Op['kind'], GraphQLObjectType | null | undefined]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field, rule: RULES[field.name] })));
}

const document = (op: Op, w: World) => {
  const args = op.rule.args ? `(${op.rule.args(w)})` : '';
  return `${op.kind} { ${op.field.name}${args} ${selection(op.field.type)} }`;
};

type Answer = { status: number; body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };

async function post(t: TestApp, query: string, token?: string): Promise<Answer> {
  const res = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

describe('authorization matrix over every operation of the schema', () => {
  let t: TestApp;
  let schema: GraphQLSchema;
  let w: World;
  let adminA: string;
  let memberA: string;
  let adminB: string;
  let operatorC: string;
  let markers: string[];

  beforeAll(async () => {
    schema = await buildAppSchema();
    t = await startTestApp();
    adminA = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminA);
    const member = await createUser(t.app.dataSource, { workspaceId: me.workspaceId, role: Role.MEMBER });
    memberA = await loginToken(t.graphqlUrl, member.email);
    const account = await linkSandboxAccount(t, adminA, { displayName: 'Matrix A sender' });
    const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Matrix A campaign', senderAccountIds: [account.id] } }, adminA);
    const { addLeads } = await gqlOk(
      t.graphqlUrl,
      AddLeadsDocument,
      { campaignId: createCampaign.id, leads: [{ publicIdentifier: 'matrix-a-lead', firstName: 'Alice' }] },
      adminA,
    );
    const { addToDoNotContact } = await gqlOk(t.graphqlUrl, AddToDoNotContactDocument, { entries: [{ publicIdentifier: 'matrix-a-dnc' }] }, adminA);
    w = {
      workspaceId: me.workspaceId,
      adminEmail: TEST_ADMIN.email,
      memberId: member.id,
      campaignId: createCampaign.id,
      accountId: account.id,
      unipileAccountId: account.unipileAccountId,
      leadId: addLeads.rows[0].leadId!,
      dncId: addToDoNotContact[0].id,
    };
    const outsider = await createUser(t.app.dataSource, { role: Role.ADMIN });
    adminB = await loginToken(t.graphqlUrl, outsider.email);
    const otherOperator = await createUser(t.app.dataSource, { role: Role.ADMIN, operator: true });
    operatorC = await loginToken(t.graphqlUrl, otherOperator.email);
    markers = [w.workspaceId, w.campaignId, w.accountId, w.leadId, w.dncId, me.id, member.id, member.email, TEST_ADMIN.email, 'Matrix A', 'matrix-a-lead', 'matrix-a-dnc', 'Alice'];
  });
  afterAll(() => t.stop());

  it('should have a rule for every operation, and no rule for an operation that is gone', () => {
    const names = operations(schema).map((op) => op.field.name);
    expect(names.filter((n) => !RULES[n])).toEqual([]);
    expect(Object.keys(RULES).filter((n) => !names.includes(n))).toEqual([]);
  });

  it('should answer UNAUTHENTICATED to every query and mutation without a token, except login', async () => {
    const wrong: string[] = [];
    for (const op of operations(schema).filter((o) => o.kind !== 'subscription' && o.rule.access !== 'public')) {
      const answer = await post(t, document(op, w));
      if (code(answer) !== 'UNAUTHENTICATED' || answer.status >= 500) wrong.push(`${op.field.name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('should refuse a WebSocket without a token (4403) before any subscription runs', async () => {
    const { client, closed } = wsClient(t.wsUrl, {});
    client.subscribe({ query: 'subscription { heartbeat { at } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    expect((await closed).code).toBe(4403);
    await client.dispose();
  });

  it('should answer FORBIDDEN to a MEMBER on every admin and operator operation, and never on the others', async () => {
    const wrong: string[] = [];
    for (const op of operations(schema).filter((o) => o.kind !== 'subscription')) {
      if (op.rule.access === 'admin' || op.rule.access === 'operator') {
        const answer = await post(t, document(op, w), memberA);
        if (code(answer) !== 'FORBIDDEN') wrong.push(`${op.field.name}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      } else if (op.rule.access === 'user' && op.kind === 'query') {
        if (code(await post(t, document(op, w), memberA)) === 'FORBIDDEN') wrong.push(`${op.field.name}: FORBIDDEN to a member`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('should answer FORBIDDEN to a workspace admin who is not an operator on every operator operation', async () => {
    const wrong: string[] = [];
    for (const op of operations(schema).filter((o) => o.rule.access === 'operator')) {
      const answer = await post(t, document(op, w), adminB);
      if (code(answer) !== 'FORBIDDEN') wrong.push(`${op.field.name}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("should give an admin (or, for operator operations, an operator) of another workspace nothing of this workspace's data, through any query or mutation", async () => {
    const wrong: string[] = [];
    // Revoking signs B out, the scheduler stays paused until resumed: last.
    const last = ['pauseScheduler', 'resumeScheduler', 'revokeAllTokens'];
    const ops = operations(schema)
      .filter((o) => o.kind !== 'subscription')
      .sort((a, b) => last.indexOf(a.field.name) - last.indexOf(b.field.name));
    // Ids B sent itself come back in errors ("Campaign <id> not found") and in B's own audit log:
    // echoes, not leaks. Names, emails and every id B never sent must not appear.
    const sent = new Set<string>();
    for (const op of ops) {
      const query = document(op, w);
      for (const m of markers) if (query.includes(m)) sent.add(m);
      const answer = await post(t, query, op.rule.access === 'operator' ? operatorC : adminB);
      const text = JSON.stringify(answer.body);
      const leaked = markers.filter((m) => text.includes(m) && !sent.has(m));
      if (answer.status >= 500) wrong.push(`${op.field.name}: HTTP ${answer.status}`);
      if (leaked.length > 0) wrong.push(`${op.field.name}: leaks ${leaked.join(', ')}`);
      if (op.rule.tenant !== NO_LEAK && code(answer) !== op.rule.tenant) wrong.push(`${op.field.name}: expected ${op.rule.tenant}, got ${text.slice(0, 200)}`);
      if (code(answer) === 'INTERNAL_SERVER_ERROR') wrong.push(`${op.field.name}: INTERNAL_SERVER_ERROR`);
    }
    expect(wrong).toEqual([]);
    // Nothing of A changed, and A is still signed in.
    const [lead] = await t.app.dataSource.query(`SELECT status FROM lead WHERE id = $1`, [w.leadId]);
    expect(lead.status).toBe('pending_invite');
    const [campaign] = await t.app.dataSource.query(`SELECT name, status FROM campaign WHERE id = $1`, [w.campaignId]);
    expect(campaign).toEqual({ name: 'Matrix A campaign', status: 'DRAFT' });
    const [users] = await t.app.dataSource.query(
      `SELECT role, operator, deactivated_at FROM app_user WHERE id = $1`,
      [w.memberId],
    );
    expect(users).toEqual({ role: 'MEMBER', operator: false, deactivated_at: null });
    const [workspace] = await t.app.dataSource.query(`SELECT sending_paused FROM workspace WHERE id = $1`, [w.workspaceId]);
    expect(workspace.sending_paused).toBe(false);
    await gqlOk(t.graphqlUrl, MeDocument, {}, adminA);
    await gqlOk(t.graphqlUrl, MeDocument, {}, memberA);
  });

  it("should deliver none of this workspace's live events to another workspace's subscriptions", async () => {
    const tokenB = await loginToken(t.graphqlUrl, (await t.app.dataSource.query(`SELECT email FROM app_user WHERE workspace_id <> $1 AND role = 'ADMIN' LIMIT 1`, [w.workspaceId]))[0].email);
    const { client } = wsClient(t.wsUrl, { Authorization: `Bearer ${tokenB}` });
    const control = wsClient(t.wsUrl, { Authorization: `Bearer ${adminA}` });
    const received: string[] = [];
    // Waits on what arrives, never for a fixed time: B's heartbeat ticks every second.
    const waiters: Array<{ until: () => boolean; wake: () => void }> = [];
    const arrived = (line: string) => {
      received.push(line);
      for (const waiter of waiters.filter((x) => x.until())) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.wake();
      }
    };
    const until = (check: () => boolean) => new Promise<void>((wake) => (check() ? wake() : waiters.push({ until: check, wake })));
    const ticks = () => received.filter((line) => line.startsWith('heartbeat:')).length;
    const seenByA: string[] = [];
    try {
      for (const op of operations(schema).filter((o) => o.kind === 'subscription')) {
        client.subscribe(
          { query: document(op, w) },
          { next: (v) => arrived(`${op.field.name}: ${JSON.stringify(v)}`), error: (e) => arrived(`${op.field.name}: ${JSON.stringify(e)}`), complete: () => undefined },
        );
      }
      // A's own subscriber of the same events: proof that they were published and delivered.
      for (const query of [
        `subscription { leadStatusChanged(campaignId: "${w.campaignId}") { leadId } }`,
        `subscription { accountStatusChanged(accountId: "${w.accountId}") { accountId } }`,
      ]) {
        control.client.subscribe({ query }, { next: (v) => (seenByA.push(JSON.stringify(v)), arrived('control')), error: () => undefined, complete: () => undefined });
      }
      // Two ticks: every subscription of B has had a second to be set up.
      await until(() => ticks() >= 2);
      // Events in A: a lead leaves, the sender pauses.
      await post(t, `mutation { removeLead(id: "${w.leadId}") { id } }`, adminA);
      await post(t, `mutation { updateAccount(id: "${w.accountId}", input: { status: PAUSED }) { id } }`, adminA);
      await until(() => seenByA.length >= 2);
      // Delivered to A; B's subscriptions heard the same feed: two more ticks for any leak to show.
      const after = ticks();
      await until(() => ticks() >= after + 2);
    } finally {
      await client.dispose();
      await control.client.dispose();
    }
    const leaks = received.filter((line) => line !== 'control' && markers.some((m) => line.includes(m)));
    expect(leaks).toEqual([]);
    expect(seenByA.join()).toContain(w.leadId);
  });
});
