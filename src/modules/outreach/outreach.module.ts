import { accountsModule } from '../accounts';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './engine-settings';
import { EngineRepositories } from './engine-repositories';
import { campaignsModule } from '../campaigns';
import { defineModule } from '../module';
import { unipileModule } from '../unipile';
import { LEGACY_EXECUTE_STEP_JOB, SCAN_JOB } from './jobs/outreach.jobs';
import { ledgerUsageReader } from './ledger-usage';
import { createOutreachEngine } from './outreach-engine';
import { RateLedger } from './rate-ledger.entity';
import { SchedulerState } from './scheduler-state.entity';
import { SchedulerStatusService } from './scheduler-status.service';
import { SchedulerResolver } from './scheduler.resolver';
import { SimulationResolver } from './simulation/simulation.resolver';
import { SimulationRepository } from './simulation/simulation.repository';
import { SimulationService } from './simulation/simulation.service';
import { StepExecution } from './step-execution.entity';

/**
 * The sequence engine: the recurring scan (an Agenda job) and the dispatcher of due step
 * executions in every worker; the scheduler's status and pauses; dry-run simulations.
 */
export const outreachModule = defineModule({
  name: 'outreach',
  entities: [StepExecution, RateLedger, SchedulerState],
  resolvers: [SchedulerResolver, SimulationResolver],
  create(ctx) {
    const { config, options, dataSource, clock, jobs, log } = ctx;
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...config.engine, ...options.engine };
    const repositories = EngineRepositories.on(dataSource.manager);
    const engine = createOutreachEngine({
      dataSource,
      clock,
      settings,
      unipile: ctx.use(unipileModule).client,
      agenda: jobs,
      log,
      executionScheduler: options.executionScheduler,
      random: options.random,
      repositories,
    });
    ctx.signals.leadsDue.on(() => engine.wake());
    ctx.metrics.collectUsage(ledgerUsageReader(repositories.ledger, clock));
    const status = new SchedulerStatusService(
      dataSource,
      { engine: repositories, accounts: ctx.use(accountsModule).repository, workspaceJobs: ctx.workspaceJobs },
      engine.scheduler,
      jobs,
      { role: ctx.role, workerRunning: ctx.worker, jobStore: ctx.jobStore },
      engine.wake,
    );
    const simulations = new SimulationService(new SimulationRepository(dataSource.manager), ctx.use(campaignsModule).campaigns, clock, settings, config.sandbox, log, config.simulation);
    return {
      engine,
      jobs: engine.jobs,
      resolvers: [new SchedulerResolver(status), new SimulationResolver(simulations)],
      async startWorker() {
        await jobs.every(config.engine.scanIntervalMs, SCAN_JOB);
        await jobs.cancel({ name: LEGACY_EXECUTE_STEP_JOB });
        if (engine.dispatcher) {
          engine.dispatcher.start();
          // Stopped before the job queue and the database close: batches being sent are recorded.
          ctx.onStop(() => engine.dispatcher!.stop());
        }
      },
    };
  },
});
