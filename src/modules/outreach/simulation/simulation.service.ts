import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../../core/clock';
import { InputError } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import type { Viewer } from '../../../core/graphql/viewer';
import type { CampaignService } from '../../campaigns';
import type { EngineSettings } from '../engine-settings';
import type { SimulationInput, SimulationOutput } from './dry-run.types';
import { SimulationError } from './simulation.errors';
import type { SimulationRepository } from './simulation.repository';
import type { SimulationResult } from './simulation.types';

export const MAX_SIMULATION_DAYS = 90;
export const MAX_SIMULATED_LEADS = 5_000;

export type SimulationLimits = {
  /** Dry runs of one workspace at once (in this process). */
  maxPerWorkspace: number;
  /** Dry runs at once in this process, all workspaces together. */
  maxConcurrent: number;
  /** Heap of each dry run's worker thread (MB): a run that needs more fails, the API does not. */
  memoryMb: number;
};

export const DEFAULT_SIMULATION_LIMITS: SimulationLimits = { maxPerWorkspace: 1, maxConcurrent: 3, memoryMb: 384 };

/**
 * A dry run: the campaign's senders, sequence and active leads are read here, then played for N
 * days in a worker thread (dry-run.ts): the engine's rules in memory on a virtual clock, against
 * the sandbox's LinkedIn in-process. Nothing touches the real database, accounts or Unipile, and
 * nothing of the run happens on the API's event loop. Runs are limited per workspace and per
 * process, and each thread's heap is bounded. Acceptance and reply odds are the sandbox's
 * (SANDBOX_ACCEPT_PROBABILITY, SANDBOX_REPLY_PROBABILITY).
 */
export class SimulationService {
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly source: SimulationRepository,
    private readonly campaigns: CampaignService,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly odds: { acceptProbability: number; replyProbability: number },
    private readonly log: Logger,
    private readonly limits: SimulationLimits = DEFAULT_SIMULATION_LIMITS,
  ) {}

  async simulate(viewer: Viewer, campaignId: string, days: number): Promise<SimulationResult> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_SIMULATION_DAYS) {
      throw new InputError(`days must be a whole number from 1 to ${MAX_SIMULATION_DAYS}`);
    }
    const campaign = await this.campaigns.get(viewer, campaignId);
    const steps = await this.source.steps(campaignId, campaign.sequenceVersion);
    const senders = await this.source.senderAccounts(campaignId);
    if (senders.length === 0) throw new InputError('The campaign has no sender account to simulate');
    const leads = await this.source.activeLeads(campaignId, MAX_SIMULATED_LEADS);
    const seed = createHash('sha256').update(campaignId).digest('hex').slice(0, 12);
    const input: SimulationInput = {
      campaignId,
      days,
      start: this.clock.now(),
      campaign: { name: campaign.name, customFields: campaign.customFields, sequenceVersion: campaign.sequenceVersion },
      steps: steps.map((s) => ({ ...s })),
      accounts: senders.map((account) => ({ ...account })),
      leads: leads.map((l) => ({ ...l })),
      settings: { ...this.settings },
      odds: { acceptProbability: this.odds.acceptProbability, replyProbability: this.odds.replyProbability },
      seed,
    };
    const release = this.take(viewer.workspaceId);
    try {
      return await this.inWorker(input);
    } finally {
      release();
    }
  }

  /** A slot for one run of this workspace, or SIMULATION_LIMIT_REACHED. Synchronous: no other request slips in between. */
  private take(workspaceId: string): () => void {
    const mine = this.running.get(workspaceId) ?? 0;
    if (mine >= this.limits.maxPerWorkspace) {
      throw new SimulationError(
        'SIMULATION_LIMIT_REACHED',
        `Your workspace already has ${mine} simulation(s) running (at most ${this.limits.maxPerWorkspace} at once); try again when it has finished`,
        { limit: this.limits.maxPerWorkspace, scope: 'workspace' },
      );
    }
    if (this.total >= this.limits.maxConcurrent) {
      throw new SimulationError('SIMULATION_LIMIT_REACHED', 'Too many simulations are running on this server; try again in a minute', {
        limit: this.limits.maxConcurrent,
        scope: 'server',
      });
    }
    this.running.set(workspaceId, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.running.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.running.set(workspaceId, left);
      else this.running.delete(workspaceId);
    };
  }

  private inWorker(input: SimulationInput): Promise<SimulationResult> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(input, this.limits.memoryMb);
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
        void worker.terminate();
      };
      worker.once('message', (message: { result?: SimulationOutput; error?: string }) => {
        if (message.result) return settle(() => resolve(ownDates(message.result!)));
        this.log.error({ campaignId: input.campaignId, error: message.error }, 'simulation failed');
        settle(() => reject(new SimulationError('SIMULATION_FAILED', 'The simulation could not be completed')));
      });
      worker.once('error', (error: Error & { code?: string }) => {
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.log.error({ err: error, campaignId: input.campaignId }, 'simulation worker failed');
        settle(() =>
          reject(
            new SimulationError(
              'SIMULATION_FAILED',
              outOfMemory ? `The simulation needed more than its ${this.limits.memoryMb} MB of memory; simulate fewer days` : 'The simulation could not be completed',
            ),
          ),
        );
      });
      worker.once('exit', (code) => settle(() => reject(new SimulationError('SIMULATION_FAILED', `The simulation stopped unexpectedly (exit ${code})`))));
    });
  }
}

/** Dates as this realm's Date (a structured clone may bring another realm's, e.g. under a test VM). */
function ownDates(result: SimulationOutput): SimulationResult {
  const own = (d: Date) => new Date(Number(d));
  return { ...result, startedAt: own(result.startedAt), endedAt: own(result.endedAt), timeline: result.timeline.map((e) => ({ ...e, at: own(e.at) })) };
}

/**
 * The worker thread of one run, its heap bounded. From TypeScript sources (tests, benchmarks,
 * ts-node) the thread compiles them with @swc-node/register; a build runs the compiled file.
 */
function startWorker(input: SimulationInput, memoryMb: number): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `simulation.worker${ext}`);
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(16, Math.floor(memoryMb / 8))) };
  if (ext === '.js') return new Worker(file, { workerData: input, resourceLimits });
  const register = require.resolve('@swc-node/register');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(file)});`, { eval: true, workerData: input, resourceLimits });
}
