import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import { AccountStatus } from '../accounts';
import { StepKind } from '../campaigns';
import { EventSource, isActiveLeadStatus, type Lead, LeadEventType, LeadStatus, type NewLeadEvent, statusChangedEvent } from '../leads';
import type { UnipileError } from '../unipile';
import type { AdvancedLead } from './engine-leads.repository';
import type { EngineRepositories } from './engine-repositories';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { type Attempt, type ExecutionResult, kindOf } from './step-attempt';
import { HELD_RETRY_RECHECK_MS } from './step-decision';
import type { SendOutcome } from './step-sender';
import { ExecutionState, type StepExecution } from './step-execution.entity';
import type { Claim } from './step-execution.repository';

/**
 * How each end of a step execution is written down: execution, lead, events, ledger, account.
 * The methods that take `tx` run inside the caller's transaction (repositories bound to it).
 */
export class StepOutcomes {
  /** Whether a (campaign, version, step) exists: sequence versions never change once written. */
  private readonly steps = new Map<string, boolean>();

  constructor(
    private readonly db: TransactionRunner,
    private readonly repos: EngineRepositories,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly scheduler: ExecutionScheduler,
    private readonly workerId: string,
  ) {}

  /** The step will not run now. The lead becomes due again at `due` (or per its schedule), with the reason. */
  async skip(
    tx: EngineRepositories,
    execution: StepExecution,
    reason: string,
    lead: Lead | null,
    due?: Date | 'reschedule',
    now = this.clock.now(),
  ): Promise<ExecutionResult> {
    await this.releaseHeldSlot(tx, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: reason });
    await tx.executions.saveOne(execution);
    if (!lead || due === undefined) return 'skipped';
    if (due === 'reschedule') await tx.leads.reschedule(lead.campaignId, [lead.id]);
    else await tx.leads.setWaiting(lead.id, due, reason);
    if (lead.waitingReason !== reason) {
      await tx.leads.insertEvents([this.event(lead, execution, LeadEventType.STEP_DEFERRED, { reason }, now)]);
    }
    return 'skipped';
  }

  /**
   * A step whose earlier attempt may have gone out waits until `at`, still `retrying`: whoever runs
   * it then reconciles before sending. Its slot stays reserved; no attempt is counted.
   */
  async holdRetry(tx: EngineRepositories, execution: StepExecution, reason: string, at: Date): Promise<'retrying'> {
    Object.assign(execution, { state: ExecutionState.RETRYING, scheduledFor: at, lastError: reason });
    await tx.executions.saveOne(execution);
    return 'retrying';
  }

  /** The lead cannot go on (bad data, unreachable recipient …): it fails with the reason. */
  async failLead(tx: EngineRepositories, execution: StepExecution, lead: Lead, reason: string, now = this.clock.now()): Promise<ExecutionResult> {
    await this.releaseHeldSlot(tx, execution);
    Object.assign(execution, { state: ExecutionState.FAILED, lastError: reason });
    await tx.executions.saveOne(execution);
    const events: NewLeadEvent[] = [this.event(lead, execution, LeadEventType.STEP_FAILED, { reason }, now)];
    if (isActiveLeadStatus(lead.status)) {
      await tx.leads.markFailed(lead.id, LeadStatus.FAILED, reason);
      events.push(statusChangedEvent(lead, lead.status, LeadStatus.FAILED, reason, now, EventSource.ENGINE));
    }
    await tx.leads.insertEvents(events);
    return 'failed';
  }

  /** The action happened (sent now, or found done by reconciliation): record it and advance the lead. */
  async succeeded(attempt: Attempt, outcome: SendOutcome, how: 'sent' | 'reconciled'): Promise<void> {
    await this.succeededMany([{ attempt, outcome, how }]);
  }

  /**
   * Records the actions of a batch that happened, in one transaction: executions `sent`, events,
   * leads advanced and rescheduled, each in one statement for all. Only executions still claimed
   * by this worker (the `sending` it wrote) are recorded: one whose lease ran out and that another
   * worker took over is that worker's to record, after it reconciled. Returns the recorded ids.
   */
  async succeededMany(items: Array<{ attempt: Attempt; outcome: SendOutcome; how: 'sent' | 'reconciled' }>): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    return this.db.transaction(async (em) => {
      const tx = this.repos.withManager(em);
      const leads = await tx.leads.lockMany([...new Set(items.map((i) => i.attempt.execution.leadId))]);
      const mine = await tx.executions.lockStillClaimed(items.map((i) => claimOf(i.attempt)), this.workerId);
      const sent: StepExecution[] = [];
      const advanced: AdvancedLead[] = [];
      const events: NewLeadEvent[] = [];
      const backfill: Array<{ lead: Lead; providerId: string }> = [];
      for (const { attempt, outcome, how } of items) {
        const { execution, account, step, at } = attempt;
        const lead = leads.get(execution.leadId);
        if (!mine.has(execution.id) || !lead) continue;
        if (!lead.providerId && outcome.providerId) backfill.push({ lead, providerId: outcome.providerId });
        if (outcome.alreadyConnected) {
          await this.backfillProviderIds(tx, backfill.splice(0));
          await this.alreadyConnected(tx, attempt, lead);
          continue;
        }
        Object.assign(execution, { state: ExecutionState.SENT, unipileRef: outcome.unipileRef, sentAt: at, lastError: null });
        sent.push(execution);
        const isInvite = step.kind === StepKind.INVITE;
        events.push(
          this.event(
            lead,
            execution,
            isInvite ? LeadEventType.CONNECTION_REQUEST_SENT : LeadEventType.MESSAGE_SENT,
            {
              meta: {
                linkedin_account_id: account.id,
                method: outcome.method,
                unipile_result: { id: outcome.unipileRef, found_by: how },
                ...(outcome.chatId ? { chat_id: outcome.chatId } : {}),
              },
            },
            at,
          ),
        );
        if (!isActiveLeadStatus(lead.status)) continue;
        const last = !(await this.hasStep(tx, execution.campaignId, execution.sequenceVersion, execution.stepIndex + 1));
        // An invite recorded by reconciliation may find its acceptance recorded already: still connected.
        const invited = lead.status === LeadStatus.CONNECTED ? LeadStatus.CONNECTED : LeadStatus.INVITE_SENT;
        const status = last ? LeadStatus.COMPLETED : isInvite ? invited : LeadStatus.MESSAGED;
        advanced.push({
          leadId: lead.id,
          status,
          reason: last ? 'SEQUENCE_FINISHED' : null,
          sequenceVersion: execution.sequenceVersion,
          nextStepIndex: execution.stepIndex + 1,
          at,
          isInvite,
          chatId: outcome.chatId,
        });
        if (status !== lead.status) {
          events.push(statusChangedEvent(lead, lead.status, status, last ? 'SEQUENCE_FINISHED' : `STEP_${execution.stepIndex}_SENT`, at, EventSource.ENGINE));
        }
      }
      await tx.executions.saveMany(sent);
      await this.backfillProviderIds(tx, backfill);
      await tx.leads.advance(advanced);
      await tx.leads.rescheduleIds(advanced.map((a) => a.leadId));
      await tx.leads.insertEvents(events);
      return mine;
    });
  }

  /**
   * Executions of a batch claimed but not sent, because their account stopped (rate-limited,
   * disconnected) during the batch: nothing went out for a fresh one, so its slot is released and
   * it is skipped with its lead due at `due`; one that resumed an earlier attempt is held, still to
   * be reconciled. Only those still claimed by this worker. Returns the held ones and when they retry.
   */
  async unclaim(tx: EngineRepositories, attempts: Attempt[], stopOf: (a: Attempt) => { reason: string; due: Date }): Promise<Map<string, Date>> {
    const held = new Map<string, Date>();
    const mine = await tx.executions.lockStillClaimed(attempts.map(claimOf), this.workerId);
    for (const attempt of attempts.filter((a) => mine.has(a.execution.id))) {
      const { reason, due } = stopOf(attempt);
      if (attempt.reconcile) {
        const retryAt = reason === 'COOLDOWN' ? due : new Date(attempt.at.getTime() + HELD_RETRY_RECHECK_MS);
        await this.holdRetry(tx, attempt.execution, reason, retryAt);
        held.set(attempt.execution.id, retryAt);
      } else {
        const lead = await tx.leads.lockOne(attempt.execution.leadId);
        await this.skip(tx, attempt.execution, reason, lead, due, attempt.at);
      }
    }
    return held;
  }

  /** Unipile refused or could not answer: act on its code. */
  async failed(attempt: Attempt, error: UnipileError): Promise<ExecutionResult> {
    const { execution, account } = attempt;
    const now = this.clock.now();
    const retry = await this.db.transaction(async (em): Promise<ExecutionResult> => {
      const tx = this.repos.withManager(em);
      const lead = await tx.leads.lockOne(execution.leadId);
      switch (error.code) {
        case 'RATE_LIMITED': {
          // LinkedIn counted the attempt: the slot stays used; the account rests and its queue moves.
          const until = new Date(now.getTime() + this.settings.cooldownMs);
          await tx.accounts.setCooldown(account.id, until);
          if (attempt.reconcile) {
            // An earlier attempt may have gone out: not skipped (a fresh send could repeat it), held.
            await tx.executions.skipAccountQueue(account.id, 'COOLDOWN', until);
            return this.holdRetry(tx, execution, 'COOLDOWN', until);
          }
          execution.ledgerDay = null;
          await this.skip(tx, execution, 'COOLDOWN', lead, until);
          await tx.executions.skipAccountQueue(account.id, 'COOLDOWN', until);
          return 'skipped';
        }
        case 'ACCOUNT_DISCONNECTED':
        case 'ACCOUNT_RESTRICTED': {
          const status = error.code === 'ACCOUNT_DISCONNECTED' ? AccountStatus.DISCONNECTED : AccountStatus.RESTRICTED;
          await tx.accounts.setStatus(account.id, status, `Unipile: ${error.details?.type ?? error.message}`);
          if (attempt.reconcile) {
            await tx.executions.skipAccountQueue(account.id, `ACCOUNT_${status}`, now);
            return this.holdRetry(tx, execution, `ACCOUNT_${status}`, new Date(now.getTime() + HELD_RETRY_RECHECK_MS));
          }
          await this.skip(tx, execution, `ACCOUNT_${status}`, lead, now);
          await tx.executions.skipAccountQueue(account.id, `ACCOUNT_${status}`, now);
          return 'skipped';
        }
        case 'ALREADY_INVITED':
          // On a retry this answers our own earlier invitation; otherwise an invitation exists already.
          if (attempt.reconcile) return 'recorded';
          return this.alreadyInvited(tx, execution, lead);
        case 'INVALID_RECIPIENT':
        case 'NOT_FOUND':
        case 'BAD_REQUEST':
          return this.failLead(tx, execution, lead, `${error.code}${error.details?.type ? `:${error.details?.type}` : ''}`);
        case 'TEMPORARY':
        case 'UNEXPECTED_RESPONSE': {
          // The outcome is unknown: retry later, reconciling first, until attempts run out.
          if (execution.attempts >= this.settings.maxAttempts) {
            execution.ledgerDay = null; // it may have gone out: the slot stays used
            return this.failLead(tx, execution, lead, `UNIPILE_UNAVAILABLE:${error.code}`);
          }
          const at = new Date(now.getTime() + this.settings.retryBaseMs * 4 ** (execution.attempts - 1));
          Object.assign(execution, { state: ExecutionState.RETRYING, scheduledFor: at, lastError: `${error.code}: ${error.message}` });
          await tx.executions.saveOne(execution);
          return 'retrying';
        }
      }
    });
    if (retry === 'recorded') {
      await this.succeeded(attempt, { unipileRef: null, providerId: attempt.lead.providerId ?? '', chatId: null, method: 'invitation' }, 'reconciled');
    }
    if (retry === 'retrying') await this.scheduler.scheduleExecution(execution.id, execution.scheduledFor);
    return retry;
  }

  private async alreadyInvited(tx: EngineRepositories, execution: StepExecution, lead: Lead): Promise<ExecutionResult> {
    await this.releaseHeldSlot(tx, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: 'ALREADY_INVITED' });
    await tx.executions.saveOne(execution);
    const now = this.clock.now();
    await tx.leads.skipAhead(lead.id, {
      status: LeadStatus.INVITE_SENT,
      statusReason: 'ALREADY_INVITED',
      sequenceVersion: execution.sequenceVersion,
      nextStepIndex: execution.stepIndex + 1,
      at: now,
      marks: 'inviteSentAt',
    });
    await tx.leads.reschedule(lead.campaignId, [lead.id]);
    await tx.leads.insertEvents([statusChangedEvent(lead, lead.status, LeadStatus.INVITE_SENT, 'ALREADY_INVITED', now, EventSource.ENGINE)]);
    return 'skipped';
  }

  /** The invitee is a connection already: no invite needed, the sequence goes on from now. */
  private async alreadyConnected(tx: EngineRepositories, attempt: Attempt, lead: Lead): Promise<void> {
    const { execution } = attempt;
    const now = attempt.at;
    await this.releaseHeldSlot(tx, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: 'ALREADY_CONNECTED', ledgerDay: null });
    await tx.executions.saveOne(execution);
    if (!isActiveLeadStatus(lead.status)) return;
    await tx.leads.skipAhead(lead.id, {
      status: LeadStatus.CONNECTED,
      statusReason: 'ALREADY_CONNECTED',
      sequenceVersion: execution.sequenceVersion,
      nextStepIndex: execution.stepIndex + 1,
      at: now,
      marks: 'connectedAt',
    });
    await tx.leads.reschedule(lead.campaignId, [lead.id]);
    await tx.leads.insertEvents([
      this.event(lead, execution, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL, { meta: { linkedin_account_id: attempt.account.id } }, now),
      statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, 'ALREADY_CONNECTED', now, EventSource.ENGINE),
    ]);
  }

  /** Only fills a missing member id, and never into a clash with another lead of the same person. */
  private async backfillProviderIds(tx: EngineRepositories, rows: Array<{ lead: Lead; providerId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.leads.backfillProviderIds(rows.map((r) => ({ leadId: r.lead.id, providerId: r.providerId })));
    for (const { lead, providerId } of rows) lead.providerId = providerId;
  }

  private async hasStep(tx: EngineRepositories, campaignId: string, version: number, stepIndex: number): Promise<boolean> {
    const key = `${campaignId}/${version}/${stepIndex}`;
    const known = this.steps.get(key);
    if (known !== undefined) return known;
    const exists = await tx.campaigns.hasStep(campaignId, version, stepIndex);
    this.steps.set(key, exists);
    return exists;
  }

  private async releaseHeldSlot(tx: EngineRepositories, execution: StepExecution): Promise<void> {
    if (!execution.ledgerDay) return;
    await tx.ledger.releaseSlot(execution.accountId, kindOf(execution), execution.ledgerDay);
    execution.ledgerDay = null;
  }

  private event(
    lead: Lead,
    execution: StepExecution,
    type: LeadEventType,
    extra: { reason?: string; meta?: Record<string, unknown> },
    at = this.clock.now(),
  ): NewLeadEvent {
    return {
      workspaceId: lead.workspaceId,
      campaignId: lead.campaignId,
      leadId: lead.id,
      linkedinAccountId: execution.accountId,
      type,
      stepIndex: execution.stepIndex,
      occurredAt: at,
      source: EventSource.ENGINE,
      ...extra,
    };
  }
}

/** The claim an attempt stands on: its execution and the `sending` time written for it. */
const claimOf = (a: Attempt): Claim => ({ id: a.execution.id, sendingStartedAt: a.execution.sendingStartedAt! });
