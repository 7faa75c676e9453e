import { Role } from '../../src/core/graphql/viewer';
import { createUser } from '../factories/user.factory';
import {
  AuditLogDocument,
  ConversationIdsDocument,
  DebugSendChatDocument,
  DebugTimingDocument,
  LeadsDocument,
  MigrationsStatusDocument,
  RunMigrationsDocument,
} from '../graphql/generated';
import { type EngineTest, startEngineTest } from '../support/engine-harness';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';
import { startTestApp } from '../support/test-app';

describe('admin operations', () => {
  let e: EngineTest;
  let memberToken: string;
  beforeAll(async () => {
    e = await startEngineTest({ start: '2026-01-05T08:00:00.000Z' }); // Monday, before the 09:00 UTC window
    const member = await createUser(e.t.app.dataSource, { workspaceId: e.admin.workspaceId, role: Role.MEMBER });
    memberToken = await loginToken(e.t.graphqlUrl, member.email);
  });
  afterAll(() => e.t.stop());

  it('should list applied migrations (this one included) and none pending; runMigrations applies nothing more', async () => {
    const { migrationsStatus } = await gqlOk(e.t.graphqlUrl, MigrationsStatusDocument, {}, e.admin.token);
    expect(migrationsStatus.applied.map((m) => m.name)).toContain('OperationsSecurity1795618100000');
    expect(migrationsStatus.applied[0]).toEqual({ name: 'InitAuth1795613984201', timestamp: '1795613984201' });
    expect(migrationsStatus.pending).toEqual([]);
    const { runMigrations } = await gqlOk(e.t.graphqlUrl, RunMigrationsDocument, {}, e.admin.token);
    expect(runMigrations.ranNow).toEqual([]);
  });

  it('should report a migration the database lacks as pending, and start with MIGRATIONS_RUN=false without applying it', async () => {
    const db = e.t.app.dataSource;
    // Raw SQL on purpose: a database one migration behind, which the app itself never leaves.
    const [[row]] = await db.query(`DELETE FROM typeorm_migrations WHERE name = 'OperationsSecurity1795618100000' RETURNING timestamp, name`);
    try {
      const { migrationsStatus } = await gqlOk(e.t.graphqlUrl, MigrationsStatusDocument, {}, e.admin.token);
      expect(migrationsStatus.pending).toEqual([{ name: 'OperationsSecurity1795618100000' }]);
      // Applying it again would fail (its tables exist): a clean start proves it was skipped.
      const url = (db.options as { url: string }).url;
      const second = await startTestApp({ DATABASE_URL: url, MIGRATIONS_RUN: 'false' });
      await second.stop();
    } finally {
      await db.query(`INSERT INTO typeorm_migrations (timestamp, name) VALUES ($1, $2)`, [row.timestamp, row.name]);
    }
  });

  it('should explain per lead when its next step is due and what holds it back', async () => {
    const account = await e.account();
    const { id: campaignId } = await e.campaign({ senders: [account.id], leads: 2 });
    const { debugTiming } = await gqlOk(e.t.graphqlUrl, DebugTimingDocument, { campaignId }, e.admin.token);
    expect(debugTiming).toMatchObject({ campaignId, campaignStatus: 'ACTIVE', schedulerPaused: false });
    expect(debugTiming.accounts).toEqual([
      expect.objectContaining({ accountId: account.id, insideWindow: false, localDay: '2026-01-05', inviteCapToday: 25, invitesToday: 0, weeklyInviteCap: 100 }),
    ]);
    expect(debugTiming.leads).toHaveLength(2);
    for (const lead of debugTiming.leads) {
      expect(lead).toMatchObject({ nextStepIndex: 0, nextStepKind: 'INVITE', waitingReason: 'WAITING_FOR_DELAY', dueNow: false, blockers: ['OUTSIDE_WORKING_HOURS'] });
      expect(lead.explanation).toContain("sender's window opens at 2026-01-05T09:00:00.000Z");
    }
    e.clock.set('2026-01-05T10:00:00.000Z');
    const later = await gqlOk(e.t.graphqlUrl, DebugTimingDocument, { campaignId }, e.admin.token);
    expect(later.debugTiming.leads.map((l) => l.dueNow)).toEqual([true, true]);
  });

  it('should refuse the admin operations to a member, and another workspace\'s campaign with NOT_FOUND', async () => {
    const account = await e.account();
    const { id: campaignId } = await e.campaign({ senders: [account.id], leads: 1 });
    expect(errorCode(await gql(e.t.graphqlUrl, DebugTimingDocument, { campaignId }, memberToken))).toBe('FORBIDDEN');
    const outsider = await createUser(e.t.app.dataSource, { role: Role.ADMIN });
    const outsiderToken = await loginToken(e.t.graphqlUrl, outsider.email);
    expect(errorCode(await gql(e.t.graphqlUrl, DebugTimingDocument, { campaignId }, outsiderToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql(e.t.graphqlUrl, ConversationIdsDocument, { campaignId }, outsiderToken))).toBe('NOT_FOUND');
  });

  it('should send a manual message through Unipile, record it as an operator event, take a ledger slot, and list the chat', async () => {
    const account = await e.account();
    const { id: campaignId } = await e.campaign({ senders: [account.id], leads: 1 });
    // LinkedIn only lets connections be messaged: let the engine invite, and the sandbox accept.
    await e.runner.runFor(3 * 3600_000);
    const { leads } = await gqlOk(e.t.graphqlUrl, LeadsDocument, { campaignId }, e.admin.token);
    expect(leads.nodes[0].status).toBe('CONNECTED');
    const leadId = leads.nodes[0].id;
    const text = 'Manual hello from the operator 7f3a';

    const { debugSendChat } = await gqlOk(e.t.graphqlUrl, DebugSendChatDocument, { leadId, text }, e.admin.token);
    expect(debugSendChat).toMatchObject({ leadId, method: 'new_chat', chatId: expect.any(String) });

    const sent = e.t.app.sandbox!.messages({ accountId: account.unipileAccountId, direction: 'outbound' });
    expect(sent.map((m) => m.text)).toEqual([text]);
    const db = e.t.app.dataSource;
    const events = await db.query(`SELECT type, source, reason, meta FROM lead_event WHERE lead_id = $1 AND type = 'message_sent'`, [leadId]);
    expect(events).toEqual([
      { type: 'message_sent', source: 'operator', reason: 'MANUAL_MESSAGE', meta: expect.objectContaining({ manual: true, method: 'new_chat', chat_id: debugSendChat.chatId }) },
    ]);
    expect(JSON.stringify(events)).not.toContain(text);
    const [ledger] = await db.query(`SELECT used FROM rate_ledger WHERE account_id = $1 AND kind = 'message'`, [account.id]);
    expect(ledger.used).toBe(1);

    const { conversationIds } = await gqlOk(e.t.graphqlUrl, ConversationIdsDocument, { campaignId }, e.admin.token);
    expect(conversationIds).toEqual([expect.objectContaining({ leadId, accountId: account.id, chatId: debugSendChat.chatId })]);
  });

  it('should write every admin call to the audit log (who, what, outcome), never the message text', async () => {
    const { auditLog } = await gqlOk(e.t.graphqlUrl, AuditLogDocument, { first: 100 }, e.admin.token);
    const actions = auditLog.map((a) => `${a.action}:${a.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['migrationsStatus:ok', 'runMigrations:ok', 'debugTiming:ok', 'debugSendChat:ok', 'conversationIds:ok']));
    const send = auditLog.find((a) => a.action === 'debugSendChat')!;
    expect(send).toMatchObject({ userId: e.admin.userId, target: { leadId: expect.any(String), textLength: 35 }, requestId: expect.any(String) });
    expect(JSON.stringify(auditLog)).not.toContain('Manual hello');
    // Newest first, and the member's refused call is not in this workspace's log as a success.
    expect(Number(auditLog[0].id)).toBeGreaterThan(Number(auditLog[auditLog.length - 1].id));
    const page = await gqlOk(e.t.graphqlUrl, AuditLogDocument, { first: 1, before: auditLog[0].id }, e.admin.token);
    expect(page.auditLog[0].id).toBe(auditLog[1].id);
  });

  it('should record a failed admin call with its error code', async () => {
    await gql(e.t.graphqlUrl, DebugTimingDocument, { campaignId: '00000000-0000-4000-8000-000000000000' }, e.admin.token);
    const { auditLog } = await gqlOk(e.t.graphqlUrl, AuditLogDocument, { first: 5 }, e.admin.token);
    expect(auditLog.find((a) => a.action === 'debugTiming')).toMatchObject({ outcome: 'NOT_FOUND' });
  });
});
