import { seededRandom } from '../../../core/random';
import { createDataSource } from '../../../core/db/data-source';
import { startEmbeddedPostgres } from '../../../core/db/embedded-postgres';
import type { Logger } from '../../../core/logger';
import type { LinkedInAccount } from '../../accounts';
import { type Campaign, CampaignStatus, type SequenceStep } from '../../campaigns';
import { DEFAULT_OPT_OUT_PHRASES, type Lead, leadProgressRepositories, LeadProgressService } from '../../leads';
import { startUnipileSandbox, UnipileClient, UnipileMessenger, type UnipileSandbox } from '../../unipile';
import type { EngineSettings, ExecutionScheduler } from '../engine-settings';
import { EngineRepositories } from '../engine-repositories';
import { ExecuteStepService } from '../execute-step.service';
import { ScanRepository } from '../scan.repository';
import { ScanService } from '../scan.service';
import { SchedulerService } from '../scheduler.service';
import { StepSender } from '../step-sender';
import { SimulationClock } from './simulation-clock';
import { SimulationRunner } from './simulation-runner';
import { SimulationWorldRepository, type WorldLead } from './simulation-world.repository';

const MAX_TIMELINE = 10_000;
const SCAN_EVERY_MS = 15 * 60_000;
/** Accounts whose due steps run side by side (the runner's lanes, in batches). */
const CONCURRENCY = 8;

/** Everything a dry run needs, as plain data (it crosses to a worker thread). */
export type SimulationInput = {
  campaignId: string;
  days: number;
  start: Date;
  campaign: Pick<Campaign, 'name' | 'customFields' | 'sequenceVersion'>;
  steps: SequenceStep[];
  /** Plain rows (the entity's computed accessors do not cross to the thread). */
  accounts: Array<Omit<LinkedInAccount, 'workingHoursStart' | 'workingHoursEnd'>>;
  leads: Lead[];
  settings: EngineSettings;
  odds: { acceptProbability: number; replyProbability: number };
  seed: string;
};

/** What simulateCampaign answers (SimulationResult's fields). */
export type SimulationOutput = {
  campaignId: string;
  days: number;
  startedAt: Date;
  endedAt: Date;
  leads: number;
  invitesSent: number;
  acceptances: number;
  messagesSent: number;
  replies: number;
  leadsByStatus: Array<{ status: string; count: number }>;
  truncated: boolean;
  timeline: Array<{ at: Date; publicIdentifier: string | null; providerId: string | null; type: string; stepIndex: number | null; reason: string | null }>;
};

/**
 * The dry run itself: the campaign copied into a throw-away in-memory database (PGlite) and a
 * sandbox LinkedIn on a virtual clock, and the real engine run over it for N days, executions of
 * different senders side by side in batches, as in the simulation benchmark.
 */
export async function runSimulation(input: SimulationInput, log: Logger, entities: Function[]): Promise<SimulationOutput> {
  const clock = new SimulationClock(input.start);
  const sandbox = await startUnipileSandbox({
    clock,
    seed: input.seed,
    accounts: 0,
    profiles: 0,
    acceptance: { probability: input.odds.acceptProbability },
    reply: { probability: input.odds.replyProbability },
    limits: { invitesPerDay: 1_000, invitesPerWeek: 5_000, profileViewsPerDay: 100_000 },
  });
  const pg = await startEmbeddedPostgres();
  const db = createDataSource(pg.url, { entities, poolSize: 1 });
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    const world = new SimulationWorldRepository(db.manager);
    const simCampaignId = await copyWorld(world, sandbox, input);
    const noJobs: ExecutionScheduler = { scheduleExecution: async () => undefined };
    const unipile = new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey });
    const settings = { ...input.settings, jitterMs: Math.min(input.settings.jitterMs, 60_000), scanConcurrency: 1 };
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
      concurrency: CONCURRENCY,
    });
    await runner.runFor(input.days * 86_400_000);
    return await collect(world, simCampaignId, input, clock.now());
  } finally {
    if (db.isInitialized) await db.destroy();
    await pg.stop();
    await sandbox.stop();
  }
}

/** The campaign as it is now, in the simulation: senders as sandbox accounts, leads as sandbox members. */
async function copyWorld(world: SimulationWorldRepository, sandbox: UnipileSandbox, input: SimulationInput): Promise<string> {
  const { campaign, steps, accounts, leads, start } = input;
  const workspace = await world.createWorkspace('simulation');
  const accountIds = new Map<string, string>();
  for (const account of accounts) {
    const remote = sandbox.createAccount({ name: account.displayName });
    const { id: _id, workspaceId: _ws, createdAt: _c, updatedAt: _u, ...settings } = account;
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

async function collect(world: SimulationWorldRepository, simCampaignId: string, input: SimulationInput, endedAt: Date): Promise<SimulationOutput> {
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
