import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { AccountStatus, LinkedInAccount } from '../accounts/linkedin-account.entity';
import { Campaign, CampaignStatus } from '../campaigns/campaign.entity';
import { SequenceStep, StepKind } from '../campaigns/sequence-step.entity';
import { MissingTemplateValueError, leadTemplateValues, renderTemplate } from '../campaigns/template';
import { INVITE_NOTE_MAX_LENGTH } from '../campaigns/sequence';
import { EventSource } from '../leads/lead-event-type';
import { isActiveLeadStatus } from '../leads/lead-status';
import { excludeActiveLeads } from '../leads/lead-transitions';
import { Lead } from '../leads/lead.entity';
import { UnipileError } from '../unipile/unipile.errors';
import type { ActionKind } from './caps';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { type EligibilityGates, eligibilityGates } from './eligibility';
import { inLanes } from './lanes';
import { type SendOutcome, StepSender } from './step-sender';
import { ExecutionState, StepExecution } from './step-execution.entity';
import { type Attempt, type ExecutionResult, kindOf } from './step-attempt';
import { HELD_RETRY_RECHECK_MS, StepOutcomes, saveExecutions } from './step-outcomes';
import { type SlotRequest, reserveSlots } from './rate-ledger';
import { currentOrNextWindow, isInsideWindow, localDay } from './working-window';

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

type Locked = { execution: StepExecution; lead: Lead | null; account: LinkedInAccount | null; campaign?: Campaign };

/** What phase 1 decided for one execution. */
type Decision =
  | { kind: 'done'; result: ExecutionResult }
  | { kind: 'hold'; reason: string; retryAt: Date }
  | { kind: 'skip'; reason: string; lead: Lead | null; due?: Date | 'reschedule' }
  | { kind: 'fail'; reason: string }
  | { kind: 'exclude'; reason: string }
  | { kind: 'resume'; text: string | null }
  | { kind: 'send'; text: string | null; slot: ActionKind; day: string };

/** Unipile answers that stop the whole account: the rest of its batch is not sent. */
const ACCOUNT_STOPPERS: Record<string, (settings: EngineSettings, at: Date) => { reason: string; due: Date }> = {
  RATE_LIMITED: (s, at) => ({ reason: 'COOLDOWN', due: new Date(at.getTime() + s.cooldownMs) }),
  ACCOUNT_DISCONNECTED: (_s, at) => ({ reason: `ACCOUNT_${AccountStatus.DISCONNECTED}`, due: at }),
  ACCOUNT_RESTRICTED: (_s, at) => ({ reason: `ACCOUNT_${AccountStatus.RESTRICTED}`, due: at }),
};

/**
 * Runs step executions, one or a batch at a time, in three phases:
 * 1. one transaction for the whole batch: lock the executions with their leads and accounts,
 *    decide for each whether it may still run, reserve the rate-ledger slots (one read and one
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly sender: StepSender,
    private readonly scheduler: ExecutionScheduler,
    private readonly log: Logger,
    private readonly workerId: string,
  ) {
    this.outcomes = new StepOutcomes(dataSource, clock, settings, scheduler, workerId);
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
   * FOR UPDATE SKIP LOCKED in the claim's own transaction, so workers claiming at once never take
   * the same execution and never wait on each other's. runClaimed() then sends them.
   */
  claimDue(limit: number): Promise<ClaimedBatch> {
    return this.claimBatch(async (em) => {
      const now = this.clock.now();
      const rows: Array<{ id: string }> = await em.query(
        `SELECT id FROM step_execution
         WHERE (state IN ('scheduled', 'retrying') AND scheduled_for <= $1) OR (state = 'sending' AND sending_started_at <= $2)
         ORDER BY scheduled_for, id LIMIT $3
         FOR UPDATE SKIP LOCKED`,
        [now, new Date(now.getTime() - this.settings.leaseMs), limit],
      );
      return rows.map((r) => ({ id: r.id }));
    });
  }

  /** When the next execution becomes due (an execution to send or retry, or a lease to run out), if any. */
  async nextDueAt(): Promise<Date | undefined> {
    const [row]: Array<{ at: Date | null }> = await this.dataSource.query(
      `SELECT least((SELECT min(scheduled_for) FROM step_execution WHERE state IN ('scheduled', 'retrying')),
                    (SELECT min(sending_started_at) FROM step_execution WHERE state = 'sending') + make_interval(secs => $1)) AS at`,
      [this.settings.leaseMs / 1000],
    );
    return row.at ?? undefined;
  }

  /** Phase 1 in one transaction for the executions `select` names (in their time order). */
  private async claimBatch(select: (em: EntityManager) => Promise<BatchItem[]>): Promise<ClaimedBatch> {
    const now = this.clock.now();
    const results = new Map<string, ExecutionResult>();
    let items: BatchItem[] = [];
    const claimed = await this.dataSource.transaction(async (em) => {
      items = await select(em);
      const at = new Map(items.map((i) => [i.id, i.at ?? now]));
      return items.length === 0 ? { attempts: [], retries: [] } : this.claim(em, items, at, results);
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
      const held = await this.dataSource.transaction((em) => this.outcomes.unclaim(em, leftOver, (a) => stopped.get(a.account.id)!));
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
    em: EntityManager,
    items: BatchItem[],
    at: Map<string, Date>,
    results: Map<string, ExecutionResult>,
  ): Promise<{ attempts: Attempt[]; retries: Array<{ id: string; retryAt: Date }> }> {
    const ids = items.map((i) => i.id);
    // Accounts first, in one order: workers claiming batches that share accounts then wait for each
    // other instead of deadlocking (the joined lock below takes rows in the plan's order).
    await em.query(`SELECT 1 FROM linkedin_account WHERE id IN (SELECT account_id FROM step_execution WHERE id = ANY($1::uuid[])) ORDER BY id FOR UPDATE`, [ids]);
    const locked = await this.lock(em, ids);
    const gates = await eligibilityGates(em, [...locked.values()].flatMap((l) => (l.lead ? [l.lead] : [])));
    const decided: Array<{ locked: Locked; step: SequenceStep | null; decision: Decision; now: Date }> = [];
    for (const { id } of items) {
      const row = locked.get(id);
      if (!row) {
        results.set(id, 'noop');
        continue;
      }
      const now = at.get(id)!;
      const step = await this.step(em, row.execution);
      decided.push({ locked: row, step, now, decision: this.decide(row, step, gates, now) });
    }

    // Slots for the fresh sends, in order, under the account locks: one read, one upsert.
    const wanted = decided.filter((d) => d.decision.kind === 'send');
    const requests: SlotRequest[] = wanted.map((d) => {
      const decision = d.decision as Extract<Decision, { kind: 'send' }>;
      return { account: d.locked.account!, kind: decision.slot, day: decision.day };
    });
    const refusals = await reserveSlots(em, requests);
    wanted.forEach((d, i) => {
      if (refusals[i]) d.decision = { kind: 'skip', reason: refusals[i]!, lead: d.locked.lead, due: d.now };
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
          results.set(execution.id, await this.outcomes.holdRetry(em, execution, decision.reason, decision.retryAt));
          retries.push({ id: execution.id, retryAt: decision.retryAt });
          break;
        case 'skip':
          results.set(execution.id, await this.outcomes.skip(em, execution, decision.reason, decision.lead, decision.due, now));
          break;
        case 'fail':
          results.set(execution.id, await this.outcomes.failLead(em, execution, lead!, decision.reason, now));
          break;
        case 'exclude':
          await excludeActiveLeads(em, { leadIds: [lead!.id] }, decision.reason, now, EventSource.ENGINE);
          results.set(execution.id, await this.outcomes.skip(em, execution, decision.reason, null, undefined, now));
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
    await saveExecutions(
      em,
      attempts.map((a) => a.execution),
    );
    return { attempts, retries };
  }

  /**
   * Whether and how one execution runs now: each rule a named check, in order. A step already on
   * its way (sending after a crash, or retrying) is finished, not re-decided, but only once its
   * account may act again.
   */
  private decide({ execution, lead, account, campaign }: Locked, step: SequenceStep | null, gates: EligibilityGates, now: Date): Decision {
    const inFlight = execution.state === ExecutionState.SENDING && execution.sendingStartedAt!.getTime() > now.getTime() - this.settings.leaseMs;
    const finished = [ExecutionState.SENT, ExecutionState.FAILED, ExecutionState.SKIPPED].includes(execution.state);
    if (finished || inFlight) return { kind: 'done', result: 'noop' };
    if (execution.state === ExecutionState.RETRYING && execution.scheduledFor > now) return { kind: 'done', result: 'noop' };
    if (!lead || !account || !step || !campaign) return { kind: 'skip', reason: 'LEAD_OR_STEP_GONE', lead: null };

    if (execution.state !== ExecutionState.SCHEDULED) {
      // Never during a cooldown, nor while the account is disconnected, restricted or paused: it
      // waits as it is, still to be reconciled first.
      const cooling = account.cooldownUntil && account.cooldownUntil > now;
      if (account.status !== AccountStatus.ACTIVE || cooling) {
        return {
          kind: 'hold',
          reason: cooling ? 'COOLDOWN' : `ACCOUNT_${account.status}`,
          retryAt: cooling ? account.cooldownUntil! : new Date(now.getTime() + HELD_RETRY_RECHECK_MS),
        };
      }
      return { kind: 'resume', text: this.render(lead, step) };
    }

    const version = lead.sequenceVersion ?? campaign.sequenceVersion;
    if (!isActiveLeadStatus(lead.status) || lead.nextStepIndex !== execution.stepIndex || version !== execution.sequenceVersion) {
      return { kind: 'skip', reason: 'LEAD_MOVED_ON', lead: null };
    }
    const blocked = gates.blocked(lead);
    if (blocked === 'SCHEDULER_PAUSED') return { kind: 'skip', reason: blocked, lead, due: now };
    // Rescheduled like a paused campaign's lead: not due (WORKSPACE_PAUSED) until its admin resumes.
    if (blocked === 'WORKSPACE_PAUSED') return { kind: 'skip', reason: blocked, lead, due: 'reschedule' };
    if (campaign.status !== CampaignStatus.ACTIVE) return { kind: 'skip', reason: `CAMPAIGN_${campaign.status}`, lead, due: 'reschedule' };
    if (account.status !== AccountStatus.ACTIVE) return { kind: 'skip', reason: `ACCOUNT_${account.status}`, lead, due: now };
    if (account.cooldownUntil && account.cooldownUntil > now) return { kind: 'skip', reason: 'COOLDOWN', lead, due: account.cooldownUntil };
    const window = currentOrNextWindow(account, now);
    if (!isInsideWindow(window, now)) return { kind: 'skip', reason: 'OUTSIDE_WORKING_HOURS', lead, due: window.start };
    if (blocked === 'DO_NOT_CONTACT') return { kind: 'exclude', reason: blocked };
    let text: string | null;
    try {
      text = this.render(lead, step);
    } catch (error) {
      if (!(error instanceof MissingTemplateValueError)) throw error;
      return { kind: 'fail', reason: `MISSING_TEMPLATE_VALUE:${error.variable}` };
    }
    if (step.kind === StepKind.INVITE && text && text.length > INVITE_NOTE_MAX_LENGTH) return { kind: 'fail', reason: 'INVITE_NOTE_TOO_LONG' };
    return { kind: 'send', text, slot: kindOf(step), day: localDay(account.timezone, now) };
  }

  /**
   * Locks the executions with their leads and accounts in one statement (the usual case); an
   * execution whose lead or account is gone, alone.
   */
  private async lock(em: EntityManager, ids: string[]): Promise<Map<string, Locked>> {
    // The campaign comes along unlocked (its status is read, as findOne would).
    const joined = (await em
      .createQueryBuilder(StepExecution, 'e')
      .innerJoinAndSelect('e.lead', 'l')
      .innerJoinAndMapOne('e.account', LinkedInAccount, 'a', 'a.id = e.account_id')
      .innerJoinAndMapOne('e.campaign', Campaign, 'c', 'c.id = e.campaign_id')
      .where(ids.length === 1 ? 'e.id = :id' : 'e.id IN (:...ids)', { id: ids[0], ids })
      .orderBy('e.id')
      .setLock('pessimistic_write', undefined, ['e', 'l', 'a'])
      .getMany()) as Array<StepExecution & { account?: LinkedInAccount; campaign?: Campaign }>;
    const locked = new Map<string, Locked>();
    for (const row of joined) {
      const { lead, account, campaign } = row;
      delete row.lead;
      delete row.account;
      delete row.campaign;
      locked.set(row.id, { execution: row, lead: lead ?? null, account: account ?? null, campaign });
    }
    for (const id of ids.filter((i) => !locked.has(i))) {
      const execution = await em.findOne(StepExecution, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!execution) continue;
      const lead = await em.findOne(Lead, { where: { id: execution.leadId }, lock: { mode: 'pessimistic_write' } });
      const account = await em.findOne(LinkedInAccount, { where: { id: execution.accountId }, lock: { mode: 'pessimistic_write' } });
      const campaign = (await em.findOne(Campaign, { where: { id: execution.campaignId } })) ?? undefined;
      locked.set(id, { execution, lead, account, campaign });
    }
    return locked;
  }

  /** The step to run; a sequence version never changes once written, so found steps are kept. */
  private async step(em: EntityManager, execution: StepExecution): Promise<SequenceStep | null> {
    const key = `${execution.campaignId}/${execution.sequenceVersion}/${execution.stepIndex}`;
    const known = this.steps.get(key);
    if (known) return known;
    const step = await em.findOne(SequenceStep, {
      where: { campaignId: execution.campaignId, version: execution.sequenceVersion, stepIndex: execution.stepIndex },
    });
    if (step) this.steps.set(key, step);
    return step;
  }

  private render(lead: Lead, step: SequenceStep): string | null {
    return step.template ? renderTemplate(step.template, leadTemplateValues(lead)) : null;
  }
}
