import { EventSource } from '../../src/modules/leads/lead-event-type';
import { linkSandboxAccount } from '../factories/account.factory';
import { AddLeadsDocument, CreateCampaignDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import type { TestApp } from '../support/test-app';
import type { Session } from '../support/workspace';

/** A sender, a campaign and one named lead, and a way to record that lead's reply (by message id). */
export async function replyWorld(t: TestApp, session: Session, name: string) {
  const account = await linkSandboxAccount(t, session.token, { displayName: `${name} sender` });
  const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name, senderAccountIds: [account.id] } }, session.token);
  const prospect = t.app.sandbox!.createProfile();
  const { addLeads } = await gqlOk(
    t.graphqlUrl,
    AddLeadsDocument,
    { campaignId: createCampaign.id, leads: [{ providerId: prospect.providerId, firstName: 'Jane', lastName: 'Doe', company: 'Acme & Sons' }] },
    session.token,
  );
  return {
    account,
    campaignId: createCampaign.id,
    leadId: addLeads.rows[0].leadId!,
    reply: (messageId: string, text: string) =>
      t.app.leadProgress.markReplied({
        accountId: account.id,
        providerId: prospect.providerId,
        messageId,
        text,
        occurredAt: new Date(),
        source: EventSource.WEBHOOK,
      }),
  };
}
