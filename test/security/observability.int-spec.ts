import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/core/logger';
import { DebugSendChatDocument, LeadsDocument, LoginDocument } from '../graphql/generated';
import { type EngineTest, startEngineTest } from '../support/engine-harness';
import { gql, gqlOk, takeSubscription, wsClient } from '../support/graphql-client';
import { HeartbeatDocument } from '../graphql/generated';
import { TEST_ADMIN, TEST_JWT_SECRET } from '../support/test-app';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const SECRETS = {
  note: 'Invite note secret 5c1e',
  message: 'Follow-up secret 8d2b',
  manual: 'Manual secret 41aa',
  webhook: 'Webhook reply secret 93fe',
  wrongPassword: 'wrong-but-secret-password-77',
};

describe('observability: metrics and what reaches the logs', () => {
  let e: EngineTest;
  const lines: string[] = [];
  let accountId: string;
  let unipileAccountId: string;

  beforeAll(async () => {
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    e = await startEngineTest({ log, env: { METRICS_TOKEN }, start: '2026-01-05T10:00:00.000Z' });
    const account = await e.account();
    accountId = account.id;
    unipileAccountId = account.unipileAccountId;
    // The engine sends an invitation with a note, then (once accepted) a message.
    const { id: campaignId } = await e.campaign({
      senders: [account.id],
      leads: 1,
      steps: [
        { kind: 'INVITE', delayMinutes: 0, template: SECRETS.note },
        { kind: 'MESSAGE', delayMinutes: 60, template: SECRETS.message },
      ],
    });
    await e.runner.runFor(4 * 3600_000);
    const { leads } = await gqlOk(e.t.graphqlUrl, LeadsDocument, { campaignId }, e.admin.token);
    await gqlOk(e.t.graphqlUrl, DebugSendChatDocument, { leadId: leads.nodes[0].id, text: SECRETS.manual }, e.admin.token);
    await gql(e.t.graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: SECRETS.wrongPassword });
    const owner = e.t.app.sandbox!.prospects()[0].providerId;
    await fetch(`${e.t.baseUrl}/api/webhooks/unipile/messaging`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${e.admin.token}` },
      body: JSON.stringify({
        event: 'message_received',
        account_id: unipileAccountId,
        account_type: 'LINKEDIN',
        account_info: { type: 'LINKEDIN', feature: 'classic', user_id: 'ACoAAOwnerUnknown' },
        webhook_name: 'messaging',
        chat_id: 'chat-observability',
        message_id: randomUUID(),
        message: SECRETS.webhook,
        timestamp: new Date().toISOString(),
        sender: { attendee_id: 'att', attendee_provider_id: owner, attendee_name: 'Lead' },
        attendees: [],
        is_sender: false,
      }),
    });
  });
  afterAll(() => e.t.stop());

  it('should have sent the messages whose bodies the log must not contain', () => {
    const sent = e.t.app.sandbox!.messages({ accountId: unipileAccountId, direction: 'outbound' }).map((m) => m.text);
    expect(sent).toEqual(expect.arrayContaining([SECRETS.message, SECRETS.manual]));
  });

  it('should log requests with their request id, and no password, token, key or message body', () => {
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => /"reqId":"[0-9a-f-]{36}"/.test(l))).toBe(true);
    const forbidden = [
      TEST_ADMIN.password,
      SECRETS.wrongPassword,
      e.admin.token,
      e.admin.token.split('.')[2],
      TEST_JWT_SECRET,
      e.t.app.sandbox!.apiKey,
      METRICS_TOKEN,
      SECRETS.note,
      SECRETS.message,
      SECRETS.manual,
      SECRETS.webhook,
    ];
    expect(forbidden.filter((secret) => all.includes(secret))).toEqual([]);
  });

  it('should refuse /metrics without the METRICS_TOKEN bearer', async () => {
    expect((await fetch(`${e.t.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${e.t.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abcde' } })).status).toBe(401);
  });

  it('should expose HTTP, GraphQL, webhook, Unipile, ledger and WebSocket metrics in the Prometheus format', async () => {
    const ws = wsClient(e.t.wsUrl, { Authorization: `Bearer ${e.admin.token}` });
    await takeSubscription(ws.client, HeartbeatDocument, { intervalSeconds: 1 }, 1);
    const res = await fetch(`${e.t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    await ws.client.dispose();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/graphql",status_code="200"\} \d+/);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation_type="mutation",operation="login",outcome="error"\} 1/);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation_type="mutation",operation="debugSendChat",outcome="ok"\} 1/);
    expect(text).toMatch(/webhook_requests_total\{route="\/api\/webhooks\/unipile\/messaging",status_code="\d{3}"\} 1/);
    expect(text).toMatch(/unipile_calls_total\{operation="sendInvitation",method="POST",outcome="ok"\} 1/);
    expect(text).toContain(`outreach_sends_today{account_id="${accountId}",kind="invite"} 1`);
    expect(text).toContain(`outreach_sends_today{account_id="${accountId}",kind="message"} 2`); // the engine's and the manual one
    expect(text).toContain(`outreach_cap_today{account_id="${accountId}",kind="invite"} 25`);
    expect(text).toContain(`outreach_weekly_invite_cap{account_id="${accountId}"} 100`);
    expect(text).toMatch(/graphql_ws_connections_total\{outcome="ok"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
