import { hostname } from 'node:os';
import type { Agenda } from 'agenda';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { JobDefinition } from '../../core/jobs/register-jobs';
import type { Logger } from '../../core/logger';
import { type UnipileClient, UnipileMessenger } from '../unipile';
import { EngineRepositories } from './engine-repositories';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { ExecuteStepService } from './execute-step.service';
import { ExecutionDispatcher } from './execution-dispatcher';
import { SCAN_JOB, type ScanJobData, outreachJobs } from './jobs/outreach.jobs';
import { ScanRepository } from './scan.repository';
import { ScanService } from './scan.service';
import { SchedulerService } from './scheduler.service';
import { StepSender } from './step-sender';

export type OutreachEngine = {
  scan: ScanService;
  executor: ExecuteStepService;
  scheduler: SchedulerService;
  /** Runs due executions in a worker process (absent when a simulation schedules them itself). */
  dispatcher?: ExecutionDispatcher;
  jobs: JobDefinition[];
  /** Asks for a scan soon (new leads, an activated campaign, a new connection). */
  wake(): void;
};

/** Builds the sequence engine's services; Agenda (or a simulation) only triggers them. */
export function createOutreachEngine(deps: {
  dataSource: DataSource;
  clock: Clock;
  settings: EngineSettings;
  unipile: UnipileClient;
  agenda: Agenda;
  log: Logger;
  executionScheduler?: ExecutionScheduler;
  random?: () => number;
  /** The engine's repositories (default: on the data source's manager). */
  repositories?: EngineRepositories;
}): OutreachEngine {
  const { dataSource, clock, settings, unipile, agenda, log } = deps;
  const repositories = deps.repositories ?? EngineRepositories.on(dataSource.manager);
  // The service's executions wait in their table for the dispatcher; scheduling one only wakes it.
  let dispatcher: ExecutionDispatcher | undefined;
  const executionScheduler: ExecutionScheduler = deps.executionScheduler ?? {
    scheduleExecution: (id, at) => dispatcher!.scheduler.scheduleExecution(id, at),
  };
  const scan = new ScanService(dataSource, new ScanRepository(dataSource.manager), clock, settings, executionScheduler, deps.random);
  const sender = new StepSender(unipile, new UnipileMessenger(unipile));
  const workerId = `${hostname()}:${process.pid}`;
  const executor = new ExecuteStepService(dataSource, clock, settings, sender, executionScheduler, log, workerId, repositories);
  if (!deps.executionScheduler) dispatcher = new ExecutionDispatcher(executor, clock, log);
  const scheduler = new SchedulerService(clock, settings, scan, executionScheduler, log, repositories);
  return {
    scan,
    executor,
    scheduler,
    dispatcher,
    jobs: outreachJobs(scheduler, scan),
    wake: () => {
      // The leads that woke it may be due already: no memo may hide them (here or in a worker).
      scan.forget();
      agenda.now(SCAN_JOB, { fresh: true } satisfies ScanJobData).catch((error: unknown) => log.warn({ err: error }, 'could not queue a scan'));
    },
  };
}
