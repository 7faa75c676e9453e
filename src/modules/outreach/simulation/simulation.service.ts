import { createHash } from 'node:crypto';
import { type DataSource, In } from 'typeorm';
import { type Clock, VirtualClock } from '../../../core/clock';
import { createDataSource } from '../../../core/db/data-source';
import { startEmbeddedPostgres } from '../../../core/db/embedded-postgres';
import { InputError } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import { seededRandom } from '../../../core/random';
import { LinkedInAccount } from '../../accounts/linkedin-account.entity';
import { Workspace } from '../../auth/workspace.entity';
import type { Viewer } from '../../auth/viewer';
import { CampaignSender } from '../../campaigns/campaign-sender.entity';
import { Campaign, CampaignStatus } from '../../campaigns/campaign.entity';
import type { CampaignService } from '../../campaigns/campaign.service';
import { SequenceStep } from '../../campaigns/sequence-step.entity';
import { LeadProgressService } from '../../leads/lead-progress.service';
import { rescheduleLeads } from '../../leads/lead-schedule';
import { ACTIVE_LEAD_STATUSES } from '../../leads/lead-status';
import { Lead } from '../../leads/lead.entity';
import { startUnipileSandbox } from '../../unipile/sandbox/sandbox';
import { UnipileClient } from '../../unipile/unipile.client';
import { UnipileMessenger } from '../../unipile/unipile-messenger';
import type { EngineSettings, ExecutionScheduler } from '../engine-settings';
import { ExecuteStepService } from '../execute-step.service';
import { ScanService } from '../scan.service';
import { SchedulerService } from '../scheduler.service';
import { StepSender } from '../step-sender';
import { SimulationRunner } from './simulation-runner';
import type { SimulationResult } from './simulation.types';

export const MAX_SIMULATION_DAYS = 90;
export const MAX_SIMULATED_LEADS = 5_000;
const MAX_TIMELINE = 10_000;
const SCAN_EVERY_MS = 15 * 60_000;

/**
 * A dry run: the campaign's senders, sequence and active leads are copied into a throw-away
 * in-memory database and a sandbox LinkedIn on a virtual clock, and the real engine runs them for
 * N days. Nothing touches the real database, accounts or Unipile. Acceptance and reply odds are
 * the sandbox's (SANDBOX_ACCEPT_PROBABILITY, SANDBOX_REPLY_PROBABILITY).
 */
export class SimulationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignService,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly odds: { acceptProbability: number; replyProbability: number },
    private readonly log: Logger,
  ) {}

  async simulate(viewer: Viewer, campaignId: string, days: number): Promise<SimulationResult> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_SIMULATION_DAYS) {
      throw new InputError(`days must be a whole number from 1 to ${MAX_SIMULATION_DAYS}`);
    }
    const campaign = await this.campaigns.get(viewer, campaignId);
    const steps = await this.dataSource.getRepository(SequenceStep).find({ where: { campaignId, version: campaign.sequenceVersion } });
    const senders = await this.dataSource.getRepository(CampaignSender).find({ where: { campaignId }, relations: { account: true } });
    if (senders.length === 0) throw new InputError('The campaign has no sender account to simulate');
    const leads = await this.dataSource.getRepository(Lead).find({
      where: { campaignId, status: In([...ACTIVE_LEAD_STATUSES]) },
      order: { createdAt: 'ASC' },
      take: MAX_SIMULATED_LEADS,
    });

    const start = this.clock.now();
    const clock = new VirtualClock(start);
    const seed = createHash('sha256').update(campaignId).digest('hex').slice(0, 12);
    const sandbox = await startUnipileSandbox({
      clock,
      seed,
      accounts: 0,
      profiles: 0,
      acceptance: { probability: this.odds.acceptProbability },
      reply: { probability: this.odds.replyProbability },
      limits: { invitesPerDay: 1_000, invitesPerWeek: 5_000, profileViewsPerDay: 100_000 },
    });
    const pg = await startEmbeddedPostgres();
    const db = createDataSource(pg.url, { poolSize: 1 });
    try {
      await db.initialize();
      await db.runMigrations({ transaction: 'each' });
      const simCampaignId = await this.copyWorld(db, sandbox, campaign, steps, senders.map((s) => s.account!), leads, start);
      const noJobs: ExecutionScheduler = { scheduleExecution: async () => undefined };
      const unipile = new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey });
      const settings = { ...this.settings, jitterMs: Math.min(this.settings.jitterMs, 60_000) };
      const scan = new ScanService(db, clock, settings, noJobs, seededRandom(Number.parseInt(seed.slice(0, 8), 16)));
      const executor = new ExecuteStepService(db, clock, settings, new StepSender(unipile, new UnipileMessenger(unipile)), noJobs, this.log, 'simulation');
      const runner = new SimulationRunner({
        dataSource: db,
        clock,
        sandbox,
        scheduler: new SchedulerService(db, clock, settings, scan, noJobs, this.log),
        executor,
        progress: new LeadProgressService(db, clock),
        scanEveryMs: SCAN_EVERY_MS,
      });
      await runner.runFor(days * 86_400_000);
      return await this.collect(db, simCampaignId, campaignId, days, start, clock.now(), leads.length);
    } finally {
      if (db.isInitialized) await db.destroy();
      await pg.stop();
      await sandbox.stop();
    }
  }

  /** The campaign as it is now, in the simulation: senders as sandbox accounts, leads as sandbox members. */
  private async copyWorld(
    db: DataSource,
    sandbox: Awaited<ReturnType<typeof startUnipileSandbox>>,
    campaign: Campaign,
    steps: SequenceStep[],
    accounts: LinkedInAccount[],
    leads: Lead[],
    start: Date,
  ): Promise<string> {
    const workspace = await db.getRepository(Workspace).save({ name: 'simulation' });
    const accountIds = new Map<string, string>();
    for (const account of accounts) {
      const remote = sandbox.createAccount({ name: account.displayName });
      const { id: _id, workspaceId: _ws, createdAt: _c, updatedAt: _u, ...settings } = account;
      const copy = await db.getRepository(LinkedInAccount).save({
        ...settings,
        workspaceId: workspace.id,
        unipileAccountId: remote.id,
        ownerProviderId: remote.ownerProviderId,
        cooldownUntil: null,
        nextSlotAt: null,
      });
      accountIds.set(account.id, copy.id);
    }
    const simCampaign = await db.getRepository(Campaign).save({
      workspaceId: workspace.id,
      name: campaign.name,
      status: CampaignStatus.ACTIVE,
      customFields: campaign.customFields,
      sequenceVersion: campaign.sequenceVersion,
      activatedAt: start,
    });
    await db.getRepository(CampaignSender).save(accounts.map((a) => ({ campaignId: simCampaign.id, accountId: accountIds.get(a.id)! })));
    await db.getRepository(SequenceStep).save(steps.map(({ id: _id, campaignId: _c, ...s }) => ({ ...s, campaignId: simCampaign.id })));
    const senderIds = [...accountIds.values()];
    await db.getRepository(Lead).save(
      leads.map((lead, i) => {
        const member = sandbox.createProfile({
          publicIdentifier: lead.publicIdentifier ?? undefined,
          providerId: lead.providerId ?? undefined,
          firstName: lead.firstName ?? undefined,
          lastName: lead.lastName ?? undefined,
        });
        return {
          workspaceId: workspace.id,
          campaignId: simCampaign.id,
          accountId: (lead.accountId && accountIds.get(lead.accountId)) ?? senderIds[i % senderIds.length],
          publicIdentifier: lead.publicIdentifier,
          providerId: lead.providerId ?? member.providerId,
          firstName: lead.firstName,
          lastName: lead.lastName,
          company: lead.company,
          customFields: lead.customFields,
          createdAt: start,
        };
      }),
      { chunk: 500 },
    );
    await rescheduleLeads(db.manager, simCampaign.id);
    return simCampaign.id;
  }

  private async collect(
    db: DataSource,
    simCampaignId: string,
    campaignId: string,
    days: number,
    startedAt: Date,
    endedAt: Date,
    leads: number,
  ): Promise<SimulationResult> {
    const totals: Array<{ type: string; n: number }> = await db.query(
      `SELECT type::text, count(*)::int AS n FROM lead_event WHERE campaign_id = $1 GROUP BY type`,
      [simCampaignId],
    );
    const statuses: Array<{ status: string; n: number }> = await db.query(
      `SELECT status::text, count(*)::int AS n FROM lead WHERE campaign_id = $1 GROUP BY status`,
      [simCampaignId],
    );
    const count = (type: string) => totals.find((t) => t.type === type)?.n ?? 0;
    const timeline: Array<{ at: Date; public_identifier: string | null; provider_id: string | null; type: string; step_index: number | null; reason: string | null }> =
      await db.query(
        `SELECT e.occurred_at AS at, l.public_identifier, l.provider_id, e.type::text, e.step_index, e.reason
         FROM lead_event e JOIN lead l ON l.id = e.lead_id
         WHERE e.campaign_id = $1 AND e.type <> 'lead_added'
         ORDER BY e.occurred_at, e.id LIMIT $2`,
        [simCampaignId, MAX_TIMELINE + 1],
      );
    return {
      campaignId,
      days,
      startedAt,
      endedAt,
      leads,
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
}
