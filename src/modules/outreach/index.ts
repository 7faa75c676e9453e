// The public surface of this feature: what other features may import (lint forbids reaching past it).
export type { EngineSettings, ExecutionScheduler } from './engine-settings';
export { outreachModule } from './outreach.module';
export type { Refusal, Usage } from './rate-ledger';
export { RateLedgerRepository } from './rate-ledger.repository';
export { ExecutionState, StepExecution } from './step-execution.entity';
