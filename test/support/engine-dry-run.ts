import { seededRandom } from '../../src/core/random';
import { createDataSource } from '../../src/core/db/data-source';
import { createLogger } from '../../src/core/logger';
import { ENTITIES } from '../../src/modules';
import { CampaignStatus } from '../../src/modules/campaigns';
import { DEFAULT_OPT_OUT_PHRASES, leadProgressRepositories, LeadProgressService } from '../../src/modules/leads';
import { startUnipileSandbox, UnipileClient, UnipileMessenger, type UnipileSandbox } from '../../src/modules/unipile';
import type { ExecutionScheduler } from '../../src/modules/outreach/engine-settings';
import { EngineRepositories } from '../../src/modules/outreach/engine-repositories';
import { ExecuteStepService } from '../../src/modules/outreach/execute-step.service';
import { ScanRepository } from '../../src/modules/outreach/scan.repository';
import { ScanService } from '../../src/modules/outreach/scan.service';
import { SchedulerService } from '../../src/modules/outreach/scheduler.service';
import { StepSender } from '../../src/modules/outreach/step-sender';
import { SimulationClock } from '../../src/modules/outreach/simulation/simulation-clock';
import { SimulationRunner } from '../../src/modules/outreach/simulation/simulation-runner';
import { EngineDryRunRepository, type WorldLead } from './engine-dry-run.repository';
import { createTestDatabase } from './test-database';
import type { SimulationInput, SimulationOutput } from '../../src/modules/outreach/simulation/dry-run.types';
import { dryRunLinkedIn } from '../../src/modules/outreach/simulation/dry-run';

const MAX_TIMELINE = 10_000;
const SCAN_EVERY_MS = 15 * 60_000;

/**
 * The reference a dry run (src/modules/outreach/simulation/dry-run.ts) is checked against: the
 * same campaign copied into a database of its own (a migrated clone on the test Postgres) and a
 * sandbox LinkedIn over HTTP on a virtual clock, and the real engine services run over it by the
 * SimulationRunner, one execution after another in time order (side by side, the sandbox's
 * random draws would follow the order the sends finish in).
 */
export async function runEngineDryRun(input: SimulationInput): Promise<SimulationOutput> {
  const log = createLogger('silent');
  const clock = new SimulationClock(input.start);
  const sandbox = await startUnipileSandbox(dryRunLinkedIn(input, clock));
  const database = await createTestDatabase();
  const db = createDataSource(database.url, { entities: ENTITIES, poolSize: 1 });
  try {
    await db.initialize();
    const world = new EngineDryRunRepository(db.manager);
    const simCampaignId = await copyWorld(world, sandbox, input);
    const noJobs: ExecutionScheduler = { scheduleExecution: async () => undefined };
    const unipile = new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey });
    const settings = { ...input.settings, scanConcurrency: 1 };
    const engineRepositories = EngineRepositories.on(db.manager);
    const scan = new ScanService(db, new ScanRepository(db.manager), clock, settings, noJobs, seededRandom(Number.parseInt(input.seed.slice(0, 8), 16)));
    const executor = new ExecuteStepService(db, clock, settings, new StepSender(unipile, new UnipileMessenger(unipile)), noJobs, log, 'simulation', engineRepositories);
    const runner = new SimulationRunner({
      dataSource: db,
      clock,
      sandbox,
      scheduler: new SchedulerService(clock, settings, scan, noJobs, log, engineRepositories),
      executor,
      progress: new LeadProgressService(db, clock, DEFAULT_OPT_OUT_PHRASES, leadProgressRepositories(db.manager)),
      scanEveryMs: SCAN_EVERY_MS,
      onLeadsDue: (accountId) => scan.forget(accountId),
    });
    await runner.runFor(input.days * 86_400_000);
    return await collect(world, simCampaignId, input, clock.now());
  } finally {
    if (db.isInitialized) await db.destroy();
    await database.drop();
    await sandbox.stop();
  }
}

/** The campaign as it is now, in the simulation: senders as sandbox accounts, leads as sandbox members. */
async function copyWorld(world: EngineDryRunRepository, sandbox: UnipileSandbox, input: SimulationInput): Promise<string> {
  const { campaign, steps, accounts, leads, start } = input;
  const workspace = await world.createWorkspace('simulation');
  const accountIds = new Map<string, string>();
  for (const account of accounts) {
    const remote = sandbox.createAccount({ name: account.displayName });
    // The account keeps its id: the engine scans accounts in id order, and so does the dry run.
    const { workspaceId: _ws, createdAt: _c, updatedAt: _u, ...settings } = account;
    const copy = await world.createAccount({
      ...settings,
      workspaceId: workspace.id,
      unipileAccountId: remote.id,
      ownerProviderId: remote.ownerProviderId,
      cooldownUntil: null,
      nextSlotAt: null,
    });
    accountIds.set(account.id, copy.id);
  }
  const simCampaign = await world.createCampaign({
    workspaceId: workspace.id,
    name: campaign.name,
    status: CampaignStatus.ACTIVE,
    customFields: campaign.customFields,
    sequenceVersion: campaign.sequenceVersion,
    activatedAt: start,
  });
  await world.addSenders(simCampaign.id, accounts.map((a) => accountIds.get(a.id)!));
  await world.addSteps(steps.map(({ id: _id, campaignId: _c, ...s }) => ({ ...s, campaignId: simCampaign.id })));
  const senderIds = [...accountIds.values()];
  const rows: WorldLead[] = leads.map((lead, i) => {
    const member = sandbox.createProfile({
      publicIdentifier: lead.publicIdentifier ?? undefined,
      providerId: lead.providerId ?? undefined,
      firstName: lead.firstName ?? undefined,
      lastName: lead.lastName ?? undefined,
    });
    return {
      account_id: (lead.accountId && accountIds.get(lead.accountId)) ?? senderIds[i % senderIds.length],
      public_identifier: lead.publicIdentifier,
      provider_id: lead.providerId ?? member.providerId,
      first_name: lead.firstName,
      last_name: lead.lastName,
      company: lead.company,
      custom_fields: JSON.stringify(lead.customFields ?? {}),
    };
  });
  await world.insertLeads(workspace.id, simCampaign.id, start, rows);
  await world.scheduleLeads(simCampaign.id);
  return simCampaign.id;
}

async function collect(world: EngineDryRunRepository, simCampaignId: string, input: SimulationInput, endedAt: Date): Promise<SimulationOutput> {
  const totals = await world.eventTotals(simCampaignId);
  const statuses = await world.statusCounts(simCampaignId);
  const count = (type: string) => totals.find((t) => t.type === type)?.n ?? 0;
  const timeline = await world.timeline(simCampaignId, MAX_TIMELINE + 1);
  return {
    campaignId: input.campaignId,
    days: input.days,
    startedAt: input.start,
    endedAt,
    leads: input.leads.length,
    invitesSent: count('connection_request_sent'),
    acceptances: count('connection_accepted') + count('connection_accepted_historical'),
    messagesSent: count('message_sent'),
    replies: count('message_received'),
    leadsByStatus: statuses.map((s) => ({ status: s.status, count: s.n })),
    truncated: timeline.length > MAX_TIMELINE,
    timeline: timeline.slice(0, MAX_TIMELINE).map((e) => ({
      at: e.at,
      publicIdentifier: e.public_identifier,
      providerId: e.provider_id,
      type: e.type,
      stepIndex: e.step_index,
      reason: e.reason,
    })),
  };
}
