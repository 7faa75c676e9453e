import { AddLeadsDocument, CreateCampaignDocument } from '../../graphql/generated';
import { linkSandboxAccount } from '../../factories/account.factory';
import { markInviteSent, pinLeadToSender } from '../../factories/lead.factory';
import { gqlOk } from '../../support/graphql-client';
import type { TestApp } from '../../support/test-app';
import type { Session } from '../../support/workspace';

export type LinkedAccount = { id: string; unipileAccountId: string; ownerProviderId: string };

export async function linkAccount(t: TestApp, session: Session): Promise<LinkedAccount> {
  const account = await linkSandboxAccount(t, session.token);
  const [row]: Array<{ owner_provider_id: string }> = await t.app.dataSource.query(`SELECT owner_provider_id FROM linkedin_account WHERE id = $1`, [account.id]);
  return { id: account.id, unipileAccountId: account.unipileAccountId, ownerProviderId: row.owner_provider_id };
}

let n = 0;

/** A draft campaign on these senders (the engine never runs it: tests move leads themselves). */
export async function draftCampaign(t: TestApp, session: Session, senders: string[], name = `Webhook campaign ${++n}`): Promise<string> {
  const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name, senderAccountIds: senders } }, session.token);
  return createCampaign.id;
}

export type TestLead = { id: string; providerId: string; publicIdentifier: string; invitationId?: string };

/** A lead added by public identifier, pinned to the account; invited through the sandbox when asked. */
export async function addLead(
  t: TestApp,
  session: Session,
  campaignId: string,
  account: LinkedAccount,
  opts: { invite?: boolean; prospect?: number } = {},
): Promise<TestLead> {
  const sandbox = t.app.sandbox!;
  const used: Array<{ n: number }> = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM lead`);
  const prospect = sandbox.prospects()[opts.prospect ?? used[0].n];
  const { addLeads } = await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: [{ publicIdentifier: prospect.publicIdentifier }] }, session.token);
  const leadId = addLeads.rows[0].leadId!;
  await pinLeadToSender(t.app.dataSource, leadId, account.id);
  const lead: TestLead = { id: leadId, providerId: prospect.providerId, publicIdentifier: prospect.publicIdentifier };
  if (opts.invite) {
    const sent = await t.app.unipile.sendInvitation(account.unipileAccountId, { providerId: prospect.providerId });
    await markInviteSent(t.app.dataSource, leadId, { providerId: prospect.providerId });
    lead.invitationId = sent.invitation_id;
  }
  return lead;
}

export async function leadRow(t: TestApp, leadId: string): Promise<{ status: string; status_reason: string | null; chat_id: string | null; provider_id: string | null; public_identifier: string | null }> {
  const [row] = await t.app.dataSource.query(`SELECT status, status_reason, chat_id, provider_id, public_identifier FROM lead WHERE id = $1`, [leadId]);
  return row;
}

export async function eventsOf(t: TestApp, leadId: string, type: string): Promise<Array<{ source: string; linkedin_account_id: string; meta: Record<string, unknown>; occurred_at: Date; detected_at: Date }>> {
  return t.app.dataSource.query(
    `SELECT source, linkedin_account_id, meta, occurred_at, detected_at FROM lead_event WHERE lead_id = $1 AND type = $2 ORDER BY id`,
    [leadId, type],
  );
}
