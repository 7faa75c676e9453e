import { AddLeadsDocument, CreateCampaignDocument, LinkAccountDocument, SyncHistoricalConnectionsDocument, SyncRunDocument, SyncRunsDocument } from '../graphql/generated';
import { LeadStatus } from '../../src/modules/leads/lead-status';
import { SCAN_JOB } from '../../src/modules/outreach/jobs/outreach.jobs';
import { type UnipileSandbox, startUnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { pinLeadsToSenders, setLeadStatus } from '../factories/lead.factory';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { type TestApp, startTestApp } from '../support/test-app';
import { eventually } from '../support/polling';
import { adminSession, type Session } from '../support/workspace';
import { eventsOf, leadRow } from '../webhooks/support/campaign-fixtures';
import { type RelationsProxy, startRelationsProxy } from './support/relations-proxy';

/**
 * The app talks to "Unipile" through a proxy whose relation lists lack public identifiers, as
 * the seed's production sync found (9,369 relations, 0 of 90 leads matched). Leads known only by
 * their public identifier can then be matched only through a profile lookup by member id.
 */
describe('historical connection sync', () => {
  let sandbox: UnipileSandbox;
  let proxy: RelationsProxy;
  let t: TestApp;
  let admin: Session;
  let accountId: string;
  let unipileAccountId: string;
  let campaignId: string;

  beforeAll(async () => {
    sandbox = await startUnipileSandbox({ seed: 'historical-sync', profiles: 60, accounts: 1 });
    proxy = await startRelationsProxy(sandbox.url);
    t = await startTestApp({ UNIPILE_DSN: proxy.url, UNIPILE_API_KEY: sandbox.apiKey });
    admin = await adminSession(t);
    unipileAccountId = sandbox.accounts()[0].id;
    accountId = (await gqlOk(t.graphqlUrl, LinkAccountDocument, { input: { unipileAccountId } }, admin.token)).linkAccount.id;
    campaignId = (await gqlOk(t.graphqlUrl, CreateCampaignDocument, { input: { name: 'Historical', senderAccountIds: [accountId] } }, admin.token)).createCampaign.id;
  });
  afterAll(async () => {
    await t.stop();
    await proxy.close();
    await sandbox.stop();
  });

  it('should match relations without public identifiers through profile lookups, record each lead once, and report the unmatched', async () => {
    const people = sandbox.prospects().slice(0, 8);
    // Leads 0–3: only a public identifier. 4: a member id. 5: pending, by public id. 6–7: not connected.
    const { addLeads } = await gqlOk(
      t.graphqlUrl,
      AddLeadsDocument,
      {
        campaignId,
        leads: [
          ...people.slice(0, 4).map((p) => ({ publicIdentifier: p.publicIdentifier })),
          { providerId: people[4].providerId },
          { publicIdentifier: people[5].publicIdentifier },
          ...people.slice(6, 8).map((p) => ({ publicIdentifier: p.publicIdentifier })),
        ],
      },
      admin.token,
    );
    const leadIds = addLeads.rows.map((r) => r.leadId!);
    await pinLeadsToSenders(t.app.dataSource, campaignId); // the campaign's one sender
    const { INVITE_SENT, CONNECTED, MESSAGED, PENDING_INVITE } = LeadStatus;
    const statuses = [INVITE_SENT, CONNECTED, MESSAGED, INVITE_SENT, INVITE_SENT, PENDING_INVITE, INVITE_SENT, PENDING_INVITE];
    for (const [i, id] of leadIds.entries()) await setLeadStatus(t.app.dataSource, id, statuses[i]);
    // Connections: the six people, and three members who are no lead.
    const strangers = sandbox.prospects().slice(20, 23);
    for (const p of [...people.slice(0, 6), ...strangers]) sandbox.connect(unipileAccountId, p.providerId);
    const relations = await t.app.unipile.listRelations(unipileAccountId);
    expect(relations.items.every((r) => r.public_identifier === null)).toBe(true);
    const connectedAt = new Map(relations.items.map((r) => [r.member_id, new Date(r.created_at).toISOString()]));
    const freshScans = async () =>
      (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1 AND data->>'fresh' = 'true'`, [SCAN_JOB]))[0].n as number;
    const scansBefore = await freshScans();

    const { syncHistoricalConnections: run } = await gqlOk(t.graphqlUrl, SyncHistoricalConnectionsDocument, { wait: true }, admin.token);
    expect(run).toMatchObject({ kind: 'HISTORICAL_CONNECTIONS', status: 'SUCCEEDED', processed: 9, matched: 6, unmatched: 3, error: null });
    const details = run.details as Record<string, unknown>;
    expect(details).toMatchObject({ leadsInScope: 8, recorded: 6 });
    expect(details.profileLookups).toBeGreaterThanOrEqual(5);
    // Connected leads may be due at once (an invite step skipped): the engine is woken, no scan memo hides them.
    await eventually(async () => expect(await freshScans()).toBe(scansBefore + 1));
    expect(run.unmatchedSample.map((u) => u.memberId).sort()).toEqual(strangers.map((s) => s.providerId).sort());
    expect(run.unmatchedSample.every((u) => u.accountId === accountId)).toBe(true);

    for (const [i, id] of leadIds.slice(0, 6).entries()) {
      const events = await eventsOf(t, id, 'connection_accepted_historical');
      expect(events).toEqual([expect.objectContaining({ source: 'sync', linkedin_account_id: accountId })]);
      expect(events[0].occurred_at.toISOString()).toBe(connectedAt.get(people[i].providerId)); // when LinkedIn made the connection
      // The member id is backfilled for leads known by public identifier (lead 4 matched by member id costs no lookup).
      expect(await leadRow(t, id)).toMatchObject({ provider_id: people[i].providerId, public_identifier: i === 4 ? null : people[i].publicIdentifier });
    }
    expect((await leadRow(t, leadIds[0])).status).toBe('connected');
    expect((await leadRow(t, leadIds[2])).status).toBe('messaged');
    expect(await leadRow(t, leadIds[5])).toMatchObject({ status: 'connected', status_reason: 'ALREADY_CONNECTED' });
    const [{ next_step_index }] = await t.app.dataSource.query(`SELECT next_step_index FROM lead WHERE id = $1`, [leadIds[5]]);
    expect(next_step_index).toBe(1); // the invite step is skipped: they are connected already
    for (const id of leadIds.slice(6)) expect(await eventsOf(t, id, 'connection_accepted_historical')).toEqual([]);

    // A second run records nothing new.
    const again = (await gqlOk(t.graphqlUrl, SyncHistoricalConnectionsDocument, { wait: true, accountId }, admin.token)).syncHistoricalConnections;
    expect(again).toMatchObject({ status: 'SUCCEEDED', details: expect.objectContaining({ recorded: 0 }) });
    expect(await freshScans()).toBe(scansBefore + 1); // nothing recorded, nothing to wake for
    const total = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM lead_event WHERE campaign_id = $1 AND type = 'connection_accepted_historical'`, [campaignId]);
    expect(total[0].n).toBe(6);

    const { syncRun } = await gqlOk(t.graphqlUrl, SyncRunDocument, { id: run.id }, admin.token);
    expect(syncRun).toMatchObject({ id: run.id, matched: 6 });
    const { syncRuns } = await gqlOk(t.graphqlUrl, SyncRunsDocument, { kind: 'HISTORICAL_CONNECTIONS' }, admin.token);
    expect(syncRuns.map((r) => r.id)).toEqual([again.id, run.id]);
  });

  it('should refuse scopes outside the workspace and queue a run when not waiting', async () => {
    expect(errorCode(await gql(t.graphqlUrl, SyncHistoricalConnectionsDocument, { campaignId: '00000000-0000-4000-8000-000000000000' }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(t.graphqlUrl, SyncHistoricalConnectionsDocument, { accountId: 'not-a-uuid' }, admin.token))).toBe('NOT_FOUND');
    const { syncHistoricalConnections: queued } = await gqlOk(t.graphqlUrl, SyncHistoricalConnectionsDocument, { campaignId }, admin.token);
    expect(queued.status).toBe('QUEUED');
    const jobs = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'sync.run' AND data->>'runId' = $1`, [queued.id]);
    expect(jobs[0].n).toBe(1);
  });
});
