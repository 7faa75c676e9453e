import type { EntityManager } from 'typeorm';
import { EligibilityRepository } from './eligibility.repository';
import { EngineAccountsRepository } from './engine-accounts.repository';
import { EngineCampaignsRepository } from './engine-campaigns.repository';
import { EngineLeadsRepository } from './engine-leads.repository';
import { RateLedgerRepository } from './rate-ledger.repository';
import { SchedulerStateRepository } from './scheduler-state.repository';
import { StepExecutionRepository } from './step-execution.repository';

/** The repositories the sequence engine's services run their statements through, bound to one manager. */
export class EngineRepositories {
  constructor(
    readonly executions: StepExecutionRepository,
    readonly leads: EngineLeadsRepository,
    readonly accounts: EngineAccountsRepository,
    readonly campaigns: EngineCampaignsRepository,
    readonly ledger: RateLedgerRepository,
    readonly eligibility: EligibilityRepository,
    readonly schedulerState: SchedulerStateRepository,
  ) {}

  /** On the data source's manager (each statement its own transaction, unless bound). */
  static on(em: EntityManager): EngineRepositories {
    return new EngineRepositories(
      new StepExecutionRepository(em),
      new EngineLeadsRepository(em),
      new EngineAccountsRepository(em),
      new EngineCampaignsRepository(em),
      new RateLedgerRepository(em),
      new EligibilityRepository(em),
      new SchedulerStateRepository(em),
    );
  }

  /** Every repository, inside `em`'s transaction. */
  withManager(em: EntityManager): EngineRepositories {
    return new EngineRepositories(
      this.executions.withManager(em),
      this.leads.withManager(em),
      this.accounts.withManager(em),
      this.campaigns.withManager(em),
      this.ledger.withManager(em),
      this.eligibility.withManager(em),
      this.schedulerState.withManager(em),
    );
  }
}
