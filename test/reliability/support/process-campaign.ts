import {
  AddLeadsDocument,
  CreateCampaignDocument,
  LinkAccountDocument,
  LoginDocument,
  SetCampaignStatusDocument,
  type SequenceStepInput,
  UpdateAccountDocument,
} from '../../graphql/generated';
import { gqlOk } from '../../support/graphql-client';
import { TEST_ADMIN } from '../../support/test-app';
import type { UnipileSandbox } from '../../../src/modules/unipile/sandbox/sandbox';

// Setting up a campaign through any instance's API, and auditing its outcome against the sandbox
// (what reached "LinkedIn") and the rate ledger. Shared by the reliability suites.

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** Working hours all day, every day: a real-time run never waits for a working window. */
export const ALWAYS = { workingHoursStart: '00:00', workingHoursEnd: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7], timezone: 'UTC' };

/** An invite and two follow-ups, each due as soon as the previous step went out (after acceptance for the first). */
export const THREE_STEPS: SequenceStepInput[] = [
  { kind: 'INVITE', delayMinutes: 0 },
  { kind: 'MESSAGE', delayMinutes: 0, template: 'Step one for {{first_name|you}}: thanks for connecting.' },
  { kind: 'MESSAGE', delayMinutes: 0, template: 'Step two for {{first_name|you}}: a last note.' },
];

export async function adminToken(graphqlUrl: string): Promise<string> {
  const { login } = await gqlOk(graphqlUrl, LoginDocument, { email: TEST_ADMIN.email, password: TEST_ADMIN.password });
  return login.token;
}

export type CampaignSetup = {
  campaignId: string;
  accounts: Array<{ id: string; unipileAccountId: string }>;
  leads: number;
};

/** Links `accounts` fresh sandbox accounts, creates the campaign, adds `leads` prospects and activates it. */
export async function setUpCampaign(
  graphqlUrl: string,
  token: string,
  sandbox: UnipileSandbox,
  opts: { name: string; accounts: number; leads: number; steps: SequenceStepInput[]; account?: Record<string, unknown>; firstProspect?: number; activate?: boolean },
): Promise<CampaignSetup> {
  const accounts: CampaignSetup['accounts'] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const remote = sandbox.createAccount();
    const { linkAccount } = await gqlOk(graphqlUrl, LinkAccountDocument, { input: { unipileAccountId: remote.id } }, token);
    await gqlOk(graphqlUrl, UpdateAccountDocument, { id: linkAccount.id, input: { ...ALWAYS, ...opts.account } }, token);
    accounts.push({ id: linkAccount.id, unipileAccountId: remote.id });
  }
  const { createCampaign } = await gqlOk(
    graphqlUrl,
    CreateCampaignDocument,
    { input: { name: opts.name, senderAccountIds: accounts.map((a) => a.id), steps: opts.steps } },
    token,
  );
  const first = opts.firstProspect ?? 0;
  const people = sandbox.prospects().slice(first, first + opts.leads);
  await gqlOk(
    graphqlUrl,
    AddLeadsDocument,
    { campaignId: createCampaign.id, leads: people.map((p) => ({ providerId: p.providerId, firstName: p.firstName, lastName: p.lastName })) },
    token,
  );
  if (opts.activate !== false) await activateCampaign(graphqlUrl, token, createCampaign.id);
  return { campaignId: createCampaign.id, accounts, leads: people.length };
}

export async function activateCampaign(graphqlUrl: string, token: string, campaignId: string): Promise<void> {
  await gqlOk(graphqlUrl, SetCampaignStatusDocument, { id: campaignId, status: 'ACTIVE' }, token);
}

export const FINAL_STATUSES = ['completed', 'responded', 'opted_out'];

/** Leads of the campaign per status. */
export async function statusCounts(query: Query, campaignId: string): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM lead WHERE campaign_id = $1 GROUP BY status`, [campaignId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Executions not finished yet (scheduled, sending, retrying). */
export async function openExecutions(query: Query, campaignId: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM step_execution WHERE campaign_id = $1 AND state IN ('scheduled', 'sending', 'retrying')`,
    [campaignId],
  );
  return row.n;
}

export type AuditedLead = {
  id: string;
  status: string;
  providerId: string;
  unipileAccountId: string;
  /** Step indexes with a sent event (connection_request_sent / message_sent), one entry per event. */
  sentSteps: number[];
  invitationsAtUnipile: number;
  /** Outbound messages to this member at Unipile, by text. */
  messagesAtUnipile: Record<string, number>;
  messageSentEvents: number;
  repliesAtUnipile: string[];
  replyEvents: string[];
};

export type Audit = {
  leads: AuditedLead[];
  /** Per account, local day and kind: the ledger's `used` and the sent events of that day. */
  ledger: Array<{ accountId: string; day: string; kind: string; used: number; events: number }>;
  reconciled: number;
};

/** What the database recorded next to what reached the sandbox, lead by lead, and the ledger next to the events. */
export async function audit(query: Query, sandbox: UnipileSandbox, campaignId: string): Promise<Audit> {
  const leads = await query<{ id: string; status: string; provider_id: string; unipile_account_id: string }>(
    `SELECT l.id, l.status, l.provider_id, a.unipile_account_id FROM lead l JOIN linkedin_account a ON a.id = l.account_id
     WHERE l.campaign_id = $1 ORDER BY l.id`,
    [campaignId],
  );
  const events = await query<{ lead_id: string; type: string; step_index: number | null; message_id: string | null; found_by: string | null }>(
    `SELECT lead_id, type, step_index, meta->>'message_id' AS message_id, meta->'unipile_result'->>'found_by' AS found_by
     FROM lead_event WHERE campaign_id = $1 AND type IN ('connection_request_sent', 'message_sent', 'message_received')`,
    [campaignId],
  );
  const invitations = sandbox.sentInvitations();
  const messages = sandbox.messages();
  const audited = leads.map((l): AuditedLead => {
    const mine = events.filter((e) => e.lead_id === l.id);
    const outbound = messages.filter((m) => m.accountId === l.unipile_account_id && m.counterpartProviderId === l.provider_id && m.direction === 'outbound');
    const messagesAtUnipile: Record<string, number> = {};
    for (const m of outbound) messagesAtUnipile[m.text] = (messagesAtUnipile[m.text] ?? 0) + 1;
    return {
      id: l.id,
      status: l.status,
      providerId: l.provider_id,
      unipileAccountId: l.unipile_account_id,
      sentSteps: mine.filter((e) => e.type !== 'message_received').map((e) => e.step_index!).sort((a, b) => a - b),
      invitationsAtUnipile: invitations.filter((i) => i.accountId === l.unipile_account_id && i.toProviderId === l.provider_id).length,
      messagesAtUnipile,
      messageSentEvents: mine.filter((e) => e.type === 'message_sent').length,
      repliesAtUnipile: messages
        .filter((m) => m.accountId === l.unipile_account_id && m.counterpartProviderId === l.provider_id && m.direction === 'inbound')
        .map((m) => m.messageId)
        .sort(),
      replyEvents: mine.filter((e) => e.type === 'message_received').map((e) => e.message_id ?? '?').sort(),
    };
  });
  const ledger = await query<{ account_id: string; day: string; kind: string; used: number; events: number }>(
    `WITH accounts AS (SELECT DISTINCT account_id FROM lead WHERE campaign_id = $1),
     sent AS (
       SELECT se.account_id, se.ledger_day AS day, CASE WHEN e.type = 'connection_request_sent' THEN 'invite' ELSE 'message' END AS kind, count(*)::int AS n
       FROM lead_event e
       JOIN lead l ON l.id = e.lead_id
       JOIN step_execution se ON se.lead_id = e.lead_id AND se.step_index = e.step_index
                             AND se.sequence_version = coalesce(l.sequence_version, se.sequence_version) AND se.state = 'sent'
       WHERE e.type IN ('connection_request_sent', 'message_sent') AND e.source = 'engine' AND se.account_id IN (SELECT account_id FROM accounts)
       GROUP BY 1, 2, 3)
     SELECT coalesce(r.account_id, s.account_id) AS account_id, coalesce(r.day, s.day)::text AS day, coalesce(r.kind::text, s.kind) AS kind,
            coalesce(r.used, 0)::int AS used, coalesce(s.n, 0)::int AS events
     FROM (SELECT * FROM rate_ledger WHERE account_id IN (SELECT account_id FROM accounts)) r
     FULL JOIN sent s ON s.account_id = r.account_id AND s.day = r.day AND s.kind = r.kind::text
     ORDER BY 1, 2, 3`,
    [campaignId],
  );
  return {
    leads: audited,
    ledger: ledger.map((r) => ({ accountId: r.account_id, day: r.day, kind: r.kind, used: r.used, events: r.events })),
    reconciled: events.filter((e) => e.found_by === 'reconciled').length,
  };
}

/**
 * The exactly-once invariants, lead by lead: each sent step recorded once and the steps recorded
 * form the sequence's beginning (0, 1, …); what Unipile holds equals what was recorded (one
 * invitation per recorded invite, one outbound message per recorded message step, never the same
 * text twice); every reply at Unipile recorded once; the ledger equals the sent events.
 * Returns the problems found (empty: all hold).
 */
export function exactlyOnceProblems(a: Audit): string[] {
  const problems: string[] = [];
  for (const l of a.leads) {
    const expected = l.sentSteps.map((_, i) => i);
    if (JSON.stringify(l.sentSteps) !== JSON.stringify(expected)) problems.push(`lead ${l.id}: sent steps recorded ${JSON.stringify(l.sentSteps)}`);
    const invites = l.sentSteps.includes(0) ? 1 : 0;
    if (l.invitationsAtUnipile !== invites) problems.push(`lead ${l.id}: ${l.invitationsAtUnipile} invitations at Unipile, ${invites} recorded`);
    const outbound = Object.values(l.messagesAtUnipile).reduce((s, n) => s + n, 0);
    if (outbound !== l.messageSentEvents) problems.push(`lead ${l.id}: ${outbound} messages at Unipile, ${l.messageSentEvents} recorded`);
    for (const [text, n] of Object.entries(l.messagesAtUnipile)) if (n > 1) problems.push(`lead ${l.id}: "${text}" sent ${n} times`);
    if (JSON.stringify(l.repliesAtUnipile) !== JSON.stringify(l.replyEvents)) {
      problems.push(`lead ${l.id}: replies at Unipile ${JSON.stringify(l.repliesAtUnipile)}, recorded ${JSON.stringify(l.replyEvents)}`);
    }
  }
  for (const r of a.ledger) {
    if (r.used !== r.events) problems.push(`ledger ${r.accountId} ${r.day} ${r.kind}: used ${r.used}, sent events ${r.events}`);
  }
  return problems;
}
