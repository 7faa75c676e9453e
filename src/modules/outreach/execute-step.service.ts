import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import type { Logger } from '../../core/logger';
import { AccountStatus } from '../accounts';
import type { SequenceStep } from '../campaigns';
import { EventSource } from '../leads';
import { UnipileError } from '../unipile';
import { eligibilityGates } from './eligibility';
import type { EngineCampaignsRepository } from './engine-campaigns.repository';
import type { EngineRepositories } from './engine-repositories';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { inLanes } from './lanes';
import type { SlotRequest } from './rate-ledger';
import type { Attempt, ExecutionResult } from './step-attempt';
import { type Decision, decideStep, slotRefused } from './step-decision';
import { ExecutionState, type StepExecution } from './step-execution.entity';
import type { LockedExecution } from './step-execution.repository';
import { StepOutcomes } from './step-outcomes';
import type { SendOutcome, StepSender } from './step-sender';

export type { Attempt, ExecutionResult } from './step-attempt';

/** One execution to run, at `at` (default: the clock's now). */
export type BatchItem = { id: string; at?: Date };

export type BatchOptions = {
  /** Accounts whose sends run side by side (each account's in order). Default 1. */
  lanes?: number;
  /** Runs a send at its instant (a simulation pins its virtual clock there). */
  runAt?: <T>(at: Date, fn: () => Promise<T>) => Promise<T>;
};

/** Phase 1's work for a batch: the executions taken, the sends to make, what is decided already. */
export type ClaimedBatch = { items: BatchItem[]; attempts: Attempt[]; results: Map<string, ExecutionResult> };

/** Unipile answers that stop the whole account: the rest of its batch is not sent. */
const ACCOUNT_STOPPERS: Record<string, (settings: EngineSettings, at: Date) => { reason: string; due: Date }> = {
  RATE_LIMITED: (s, at) => ({ reason: 'COOLDOWN', due: new Date(at.getTime() + s.cooldownMs) }),
  ACCOUNT_DISCONNECTED: (_s, at) => ({ reason: `ACCOUNT_${AccountStatus.DISCONNECTED}`, due: at }),
  ACCOUNT_RESTRICTED: (_s, at) => ({ reason: `ACCOUNT_${AccountStatus.RESTRICTED}`, due: at }),
};

/**
 * Runs step executions, one or a batch at a time, in three phases:
 * 1. one transaction for the whole batch: lock the executions with their leads and accounts,
 *    decide for each whether it may still run (the rules of step-decision.ts), reserve the rate-ledger slots (one read and one
 *    upsert for all) and mark the runnable ones `sending`;
 * 2. the sends, one Unipile call (or reconciliation) per execution, each account's in order;
 * 3. one transaction recording every success (executions, leads, events in bulk); failures are
 *    recorded one by one as they come (they change the account).
 * A worker that dies between 1 and 3 leaves `sending` behind; whoever runs the execution after
 * the lease asks Unipile whether the action happened before sending anything.
 */
export class ExecuteStepService {
  private readonly outcomes: StepOutcomes;
  private readonly steps = new Map<string, SequenceStep>();

  /** `db` runs the transactions; the statements go through `repos`. */
  constructor(
    private readonly db: TransactionRunner,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly sender: StepSender,
    private readonly scheduler: ExecutionScheduler,
    private readonly log: Logger,
    private readonly workerId: string,
    private readonly repos: EngineRepositories,
  ) {
    this.outcomes = new StepOutcomes(db, repos, clock, settings, scheduler, workerId);
  }

  async execute(executionId: string): Promise<ExecutionResult> {
    const [result] = await this.executeBatch([{ id: executionId }]);
    return result;
  }

  /** Runs the executions (in the order given: their time order); returns each one's result. */
  async executeBatch(items: BatchItem[], opts: BatchOptions = {}): Promise<ExecutionResult[]> {
    if (items.length === 0) return [];
    return this.runClaimed(await this.claimBatch(async () => items), opts);
  }

  /**
   * Phase 1 for up to `limit` due executions that no other worker holds: fresh and retrying ones
   * whose time has come, and `sending` ones whose lease ran out (to be reconciled). Selected with
   * FOR NO KEY UPDATE SKIP LOCKED in the claim's own transaction, so workers claiming at once never take
   * the same execution and never wait on each other's. runClaimed() then sends them.
   */
  claimDue(limit: number): Promise<ClaimedBatch> {
    return this.claimBatch(async (tx) => {
      const now = this.clock.now();
      const ids = await tx.executions.lockDue(now, new Date(now.getTime() - this.settings.leaseMs), limit);
      return ids.map((id) => ({ id }));
    });
  }

  /** When the next execution becomes due (an execution to send or retry, or a lease to run out), if any. */
  nextDueAt(): Promise<Date | undefined> {
    return this.repos.executions.nextDueAt(this.settings.leaseMs);
  }

  /** Phase 1 in one transaction for the executions `select` names (in their time order). */
  private async claimBatch(select: (tx: EngineRepositories) => Promise<BatchItem[]>): Promise<ClaimedBatch> {
    const now = this.clock.now();
    const results = new Map<string, ExecutionResult>();
    let items: BatchItem[] = [];
    const claimed = await this.db.transaction(async (em) => {
      const tx = this.repos.withManager(em);
      items = await select(tx);
      const at = new Map(items.map((i) => [i.id, i.at ?? now]));
      return items.length === 0 ? { attempts: [], retries: [] } : this.claim(tx, items, at, results);
    });
    for (const { id, retryAt } of claimed.retries) await this.scheduler.scheduleExecution(id, retryAt);
    return { items, attempts: claimed.attempts, results };
  }

  /** Phases 2 and 3 of a claimed batch: the sends, then one transaction recording every success. */
  async runClaimed(batch: ClaimedBatch, opts: BatchOptions = {}): Promise<ExecutionResult[]> {
    const { items, attempts, results } = batch;
    const runAt = opts.runAt ?? (<T>(_at: Date, fn: () => Promise<T>) => fn());
    const succeeded: Array<{ attempt: Attempt; outcome: SendOutcome; how: 'sent' | 'reconciled' }> = [];
    const stopped = new Map<string, { reason: string; due: Date }>();
    const leftOver: Attempt[] = [];
    await inLanes(attempts, (a) => a.account.id, opts.lanes ?? 1, async (attempt) => {
      if (stopped.has(attempt.account.id)) return leftOver.push(attempt);
      const done = await runAt(attempt.at, () => this.attempt(attempt));
      if ('result' in done) {
        results.set(attempt.execution.id, done.result);
        if (done.stops) stopped.set(attempt.account.id, done.stops);
        return;
      }
      succeeded.push({ attempt, ...done });
    });
    const recorded = await this.outcomes.succeededMany(succeeded);
    for (const { attempt, how } of succeeded) {
      results.set(attempt.execution.id, recorded.has(attempt.execution.id) ? (how === 'sent' ? 'sent' : 'recorded') : 'noop');
    }
    if (leftOver.length > 0) {
      const held = await this.db.transaction((em) => this.outcomes.unclaim(this.repos.withManager(em), leftOver, (a) => stopped.get(a.account.id)!));
      for (const a of leftOver) results.set(a.execution.id, held.has(a.execution.id) ? 'retrying' : 'skipped');
      for (const [id, retryAt] of held) await this.scheduler.scheduleExecution(id, retryAt);
    }
    return items.map((i) => results.get(i.id) ?? 'noop');
  }

  /**
   * Phase 2 for one execution: reconcile or send, then either a success to record, or a result
   * already recorded (a Unipile refusal; `stops`: its account must not send the rest of its batch).
   */
  private async attempt(
    attempt: Attempt,
  ): Promise<{ outcome: SendOutcome; how: 'sent' | 'reconciled' } | { result: ExecutionResult; stops?: { reason: string; due: Date } }> {
    // A claim whose lease ran out may be another worker's by now: it reconciles, we do not send.
    if (this.clock.now().getTime() - attempt.execution.sendingStartedAt!.getTime() >= this.settings.leaseMs) return { result: 'noop' };
    try {
      const found = attempt.reconcile ? await this.sender.findDone(attempt) : undefined;
      if (found) return { outcome: found, how: 'reconciled' };
      return { outcome: await this.sender.send(attempt), how: 'sent' };
    } catch (error) {
      if (!(error instanceof UnipileError)) throw error; // stays `sending`: reconciled after the lease
      this.log.warn({ executionId: attempt.execution.id, code: error.code, type: error.details?.type }, 'step execution failed at Unipile');
      const result = await this.outcomes.failed(attempt, error);
      const stopper = ACCOUNT_STOPPERS[error.code];
      return { result, stops: stopper?.(this.settings, this.clock.now()) };
    }
  }

  /** Phase 1 for a batch: decide, reserve, mark `sending`. */
  private async claim(
    tx: EngineRepositories,
    items: BatchItem[],
    at: Map<string, Date>,
    results: Map<string, ExecutionResult>,
  ): Promise<{ attempts: Attempt[]; retries: Array<{ id: string; retryAt: Date }> }> {
    const ids = items.map((i) => i.id);
    // Accounts first, in one order: workers claiming batches that share accounts then wait for each
    // other instead of deadlocking (the joined lock below takes rows in the plan's order).
    await tx.accounts.lockAccountsOfExecutions(ids);
    const locked = await tx.executions.lockWithRows(ids);
    const gates = eligibilityGates(await tx.eligibility.gateFacts([...locked.values()].flatMap((l) => (l.lead ? [l.lead] : []))));
    const decided: Array<{ locked: LockedExecution; step: SequenceStep | null; decision: Decision; now: Date }> = [];
    for (const { id } of items) {
      const row = locked.get(id);
      if (!row) {
        results.set(id, 'noop');
        continue;
      }
      const now = at.get(id)!;
      const step = await this.step(tx.campaigns, row.execution);
      const gate = row.lead ? gates.blocked(row.lead) : undefined;
      decided.push({ locked: row, step, now, decision: decideStep({ ...row, step, gate, now, leaseMs: this.settings.leaseMs }) });
    }

    // Slots for the fresh sends, in order, under the account locks: one read, one upsert.
    const wanted = decided.filter((d) => d.decision.kind === 'send');
    const requests: SlotRequest[] = wanted.map((d) => {
      const decision = d.decision as Extract<Decision, { kind: 'send' }>;
      return { account: d.locked.account!, kind: decision.slot, day: decision.day };
    });
    const refusals = await tx.ledger.reserveSlots(requests);
    wanted.forEach((d, i) => {
      const refusal = refusals[i];
      if (refusal) d.decision = slotRefused(refusal, d.locked.lead, d.now);
    });

    const attempts: Attempt[] = [];
    const retries: Array<{ id: string; retryAt: Date }> = [];
    for (const { locked: row, step, decision, now } of decided) {
      const { execution, lead, account } = row;
      switch (decision.kind) {
        case 'done':
          results.set(execution.id, decision.result);
          break;
        case 'hold':
          results.set(execution.id, await this.outcomes.holdRetry(tx, execution, decision.reason, decision.retryAt));
          retries.push({ id: execution.id, retryAt: decision.retryAt });
          break;
        case 'skip':
          results.set(execution.id, await this.outcomes.skip(tx, execution, decision.reason, decision.lead, decision.due, now));
          break;
        case 'fail':
          results.set(execution.id, await this.outcomes.failLead(tx, execution, lead!, decision.reason, now));
          break;
        case 'exclude':
          await tx.leads.exclude(lead!.id, decision.reason, now, EventSource.ENGINE);
          results.set(execution.id, await this.outcomes.skip(tx, execution, decision.reason, null, undefined, now));
          break;
        case 'resume':
          Object.assign(execution, { state: ExecutionState.SENDING, attempts: execution.attempts + 1, sendingStartedAt: now, workerId: this.workerId });
          attempts.push({ execution, lead: lead!, account: account!, step: step!, text: decision.text, reconcile: true, at: now });
          break;
        case 'send':
          Object.assign(execution, {
            state: ExecutionState.SENDING,
            attempts: execution.attempts + 1,
            ledgerDay: decision.day,
            sendingStartedAt: now,
            workerId: this.workerId,
            lastError: null,
          });
          attempts.push({ execution, lead: lead!, account: account!, step: step!, text: decision.text, reconcile: false, at: now });
          break;
      }
    }
    await tx.executions.saveMany(attempts.map((a) => a.execution));
    return { attempts, retries };
  }

  /** The step to run; a sequence version never changes once written, so found steps are kept. */
  private async step(campaigns: EngineCampaignsRepository, execution: StepExecution): Promise<SequenceStep | null> {
    const key = `${execution.campaignId}/${execution.sequenceVersion}/${execution.stepIndex}`;
    const known = this.steps.get(key);
    if (known) return known;
    const step = await campaigns.findStep(execution.campaignId, execution.sequenceVersion, execution.stepIndex);
    if (step) this.steps.set(key, step);
    return step;
  }
}
