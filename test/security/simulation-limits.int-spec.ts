import { AddLeadsDocument, CreateCampaignDocument, SimulateCampaignDocument } from '../graphql/generated';
import { Role } from '../../src/core/graphql/viewer';
import { linkSandboxAccount } from '../factories/account.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { adminSession, newSession, type Session } from '../support/workspace';

// Issue 18, item 6: simulateCampaign ran on the API's event loop, as many at once as a member
// asked for (three of 100 leads × 10 days stalled /healthz for 11 s, 1.36 GB RSS). Now each run
// is a worker thread with a bounded heap, and a workspace runs at most SIMULATION_MAX_PER_WORKSPACE
// at once: the attack, performed against the running service, is refused with a code.
describe('simulateCampaign off the request path, limited per workspace', () => {
  let t: TestApp;
  let member: Session;
  let campaignId: string;

  beforeAll(async () => {
    t = await startTestApp({ SIMULATION_MAX_PER_WORKSPACE: '1', SANDBOX_ACCEPT_PROBABILITY: '0.5', SANDBOX_REPLY_PROBABILITY: '0.2' });
    const admin = await adminSession(t);
    member = await newSession(t, { role: Role.MEMBER, workspaceId: admin.workspaceId });
    const account = await linkSandboxAccount(t, admin.token);
    const { createCampaign } = await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Simulated', senderAccountIds: [account.id] } }, member.token);
    campaignId = createCampaign.id;
    const people = t.app.sandbox!.prospects().slice(0, 100);
    await gqlOk(t.graphqlUrl, AddLeadsDocument, { campaignId, leads: people.map((p) => ({ publicIdentifier: p.publicIdentifier, firstName: p.firstName })) }, member.token);
  });
  afterAll(() => t.stop());

  it('should refuse a member simulations beyond the workspace limit, and answer /healthz while one runs', async () => {
    let running = 0;
    const simulate = async () => {
      running += 1;
      try {
        return await gql(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 10 }, member.token);
      } finally {
        running -= 1;
      }
    };
    const calls = [simulate(), simulate(), simulate()];
    // While a simulation runs, the API still answers (its latency is measured by the benchmark).
    let healthzWhileRunning = 0;
    while (running > 0) {
      const res = await fetch(`${t.app.url}/healthz`);
      if (res.status === 200 && running > 0) healthzWhileRunning += 1;
      if (healthzWhileRunning >= 3) break;
    }
    const answers = await Promise.all(calls);
    const refused = answers.filter((a) => errorCode(a) === 'SIMULATION_LIMIT_REACHED');
    const done = answers.filter((a) => a.data?.simulateCampaign);
    expect({ refused: refused.length, done: done.length }).toEqual({ refused: 2, done: 1 });
    expect(refused[0].errors?.[0]?.message).toMatch(/at most 1 at once/);
    expect(done[0].data!.simulateCampaign).toMatchObject({ campaignId, days: 10, leads: 100 });
    expect(done[0].data!.simulateCampaign.invitesSent).toBeGreaterThan(0);
    expect(healthzWhileRunning).toBeGreaterThanOrEqual(3);

    // The slot is given back: the next one runs.
    const again = await gqlOk(t.graphqlUrl, SimulateCampaignDocument, { campaignId, days: 1 }, member.token);
    expect(again.simulateCampaign.days).toBe(1);
  }, 240_000);
});
