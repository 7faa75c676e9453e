import { ReplyReceivedDocument } from '../graphql/generated';
import { takeSubscription, wsClient } from '../support/graphql-client';
import { waitForSubscriptions } from '../support/metrics';
import { startTestApp } from '../support/test-app';
import { adminSession } from '../support/workspace';
import { spawnWorker, stopProcess } from '../support/worker-process';
import { waitFor } from '../support/polling';
import { addLead, draftCampaign, linkAccount } from '../webhooks/support/campaign-fixtures';
import { messageReceived } from '../webhooks/support/unipile-payloads';

const SECRET = 'multi-instance-webhook-secret';

describe('two server processes on one database', () => {
  it('should bring a reply that entered through instance B to a subscriber of instance A', async () => {
    const a = await startTestApp({ UNIPILE_WEBHOOK_SECRET: SECRET });
    const b = spawnWorker(a, { ROLE: 'all', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', UNIPILE_WEBHOOK_SECRET: SECRET });
    try {
      const admin = await adminSession(a);
      const account = await linkAccount(a, admin);
      const campaignId = await draftCampaign(a, admin, [account.id]);
      const lead = await addLead(a, admin, campaignId, account, { invite: true });
      const bUrl = await waitFor(() => /"url":"(http:\/\/[^"]+)\/graphql"/.exec(b.output())?.[1], 60_000, 'instance B to listen');

      const { client } = wsClient(a.wsUrl, { Authorization: `Bearer ${admin.token}` });
      const received = takeSubscription(client, ReplyReceivedDocument, { campaignId }, 1);
      await waitForSubscriptions(a.baseUrl, 1);
      const res = await fetch(`${bUrl}/api/webhooks/unipile/messaging`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'unipile-auth': SECRET },
        body: JSON.stringify(
          messageReceived({ accountId: account.unipileAccountId, ownerProviderId: account.ownerProviderId, senderProviderId: lead.providerId, text: 'Hello from B' }),
        ),
      });
      expect(res.status).toBe(200);
      const [event] = await received;
      expect(event.data?.replyReceived).toMatchObject({ leadId: lead.id, campaignId, text: 'Hello from B', source: 'webhook' });
      await client.dispose();
    } finally {
      await stopProcess(b);
      await a.stop();
    }
  }, 120_000);
});
