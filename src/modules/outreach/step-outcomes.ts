import { type DataSource, type EntityManager, In } from 'typeorm';
import type { Clock } from '../../core/clock';
import { AccountStatus, LinkedInAccount } from '../accounts/linkedin-account.entity';
import { StepKind } from '../campaigns/sequence-step.entity';
import { EventSource, LeadEventType } from '../leads/lead-event-type';
import { type NewLeadEvent, insertLeadEvents, statusChangedEvent } from '../leads/lead-events';
import { rescheduleLeadIds, rescheduleLeads } from '../leads/lead-schedule';
import { LeadStatus, isActiveLeadStatus } from '../leads/lead-status';
import { Lead } from '../leads/lead.entity';
import type { UnipileError } from '../unipile/unipile.errors';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { type Attempt, type ExecutionResult, kindOf } from './step-attempt';
import { releaseSlot } from './rate-ledger';
import type { SendOutcome } from './step-sender';
import { ExecutionState, StepExecution } from './step-execution.entity';

/**
 * Writes the execution's mutable columns: an UPDATE by primary key, where em.save would first
 * SELECT the row again (it is locked and loaded in this transaction already).
 */
export async function saveExecution(em: EntityManager, e: StepExecution): Promise<void> {
  await em.update(StepExecution, e.id, {
    state: e.state,
    scheduledFor: e.scheduledFor,
    attempts: e.attempts,
    lastError: e.lastError,
    unipileRef: e.unipileRef,
    ledgerDay: e.ledgerDay,
    workerId: e.workerId,
    sendingStartedAt: e.sendingStartedAt,
    sentAt: e.sentAt,
  });
}

/** saveExecution for many executions in one statement (phase 1 of a batch). */
export async function saveExecutions(em: EntityManager, executions: StepExecution[]): Promise<void> {
  if (executions.length === 0) return;
  if (executions.length === 1) return saveExecution(em, executions[0]);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  await em.query(
    `UPDATE step_execution e SET state = v.state::execution_state, scheduled_for = v.scheduled_for, attempts = v.attempts, last_error = v.last_error,
            unipile_ref = v.unipile_ref, ledger_day = v.ledger_day, worker_id = v.worker_id, sending_started_at = v.sending_started_at,
            sent_at = v.sent_at, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::date[], $8::text[], $9::timestamptz[], $10::timestamptz[])
       AS v(id, state, scheduled_for, attempts, last_error, unipile_ref, ledger_day, worker_id, sending_started_at, sent_at)
     WHERE e.id = v.id`,
    [
      executions.map((e) => e.id),
      executions.map((e) => e.state),
      executions.map((e) => iso(e.scheduledFor)),
      executions.map((e) => e.attempts),
      executions.map((e) => e.lastError),
      executions.map((e) => e.unipileRef),
      executions.map((e) => e.ledgerDay),
      executions.map((e) => e.workerId),
      executions.map((e) => iso(e.sendingStartedAt)),
      executions.map((e) => iso(e.sentAt)),
    ],
  );
}

/** How often a retry held back by its account (disconnected, restricted, paused) looks again. */
export const HELD_RETRY_RECHECK_MS = 15 * 60_000;

/** How each end of a step execution is written down: execution, lead, events, ledger, account. */
export class StepOutcomes {
  /** Whether a (campaign, version, step) exists: sequence versions never change once written. */
  private readonly steps = new Map<string, boolean>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly scheduler: ExecutionScheduler,
    private readonly workerId: string,
  ) {}

  /** The step will not run now. The lead becomes due again at `due` (or per its schedule), with the reason. */
  async skip(
    em: EntityManager,
    execution: StepExecution,
    reason: string,
    lead: Lead | null,
    due?: Date | 'reschedule',
    now = this.clock.now(),
  ): Promise<ExecutionResult> {
    await this.releaseHeldSlot(em, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: reason });
    await saveExecution(em, execution);
    if (!lead || due === undefined) return 'skipped';
    if (due === 'reschedule') await rescheduleLeads(em, lead.campaignId, [lead.id]);
    else await em.update(Lead, lead.id, { nextActionAt: due, waitingReason: reason });
    if (lead.waitingReason !== reason) {
      await insertLeadEvents(em, [this.event(lead, execution, LeadEventType.STEP_DEFERRED, { reason }, now)]);
    }
    return 'skipped';
  }

  /**
   * A step whose earlier attempt may have gone out waits until `at`, still `retrying`: whoever runs
   * it then reconciles before sending. Its slot stays reserved; no attempt is counted.
   */
  async holdRetry(em: EntityManager, execution: StepExecution, reason: string, at: Date): Promise<'retrying'> {
    Object.assign(execution, { state: ExecutionState.RETRYING, scheduledFor: at, lastError: reason });
    await saveExecution(em, execution);
    return 'retrying';
  }

  /** The lead cannot go on (bad data, unreachable recipient …): it fails with the reason. */
  async failLead(em: EntityManager, execution: StepExecution, lead: Lead, reason: string, now = this.clock.now()): Promise<ExecutionResult> {
    await this.releaseHeldSlot(em, execution);
    Object.assign(execution, { state: ExecutionState.FAILED, lastError: reason });
    await saveExecution(em, execution);
    const events: NewLeadEvent[] = [this.event(lead, execution, LeadEventType.STEP_FAILED, { reason }, now)];
    if (isActiveLeadStatus(lead.status)) {
      await em.update(Lead, lead.id, { status: LeadStatus.FAILED, statusReason: reason, nextActionAt: null, waitingReason: null });
      events.push(statusChangedEvent(lead, lead.status, LeadStatus.FAILED, reason, now, EventSource.ENGINE));
    }
    await insertLeadEvents(em, events);
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
    return this.dataSource.transaction(async (em) => {
      const leadIds = [...new Set(items.map((i) => i.attempt.execution.leadId))];
      const leads = new Map((await em.find(Lead, { where: { id: In(leadIds) }, lock: { mode: 'pessimistic_write' } })).map((l) => [l.id, l]));
      const claimed: Array<{ id: string }> = await em.query(
        `SELECT e.id FROM step_execution e JOIN unnest($1::uuid[], $2::timestamptz[]) AS v(id, started) ON v.id = e.id
         WHERE e.state = 'sending' AND e.worker_id = $3 AND e.sending_started_at = v.started FOR UPDATE OF e`,
        [items.map((i) => i.attempt.execution.id), items.map((i) => i.attempt.execution.sendingStartedAt!.toISOString()), this.workerId],
      );
      const mine = new Set(claimed.map((r) => r.id));
      const sent: StepExecution[] = [];
      const advanced: Array<{ lead: Lead; status: LeadStatus; reason: string | null; execution: StepExecution; at: Date; isInvite: boolean; chatId: string | null }> = [];
      const events: NewLeadEvent[] = [];
      const backfill: Array<{ lead: Lead; providerId: string }> = [];
      for (const { attempt, outcome, how } of items) {
        const { execution, account, step, at } = attempt;
        const lead = leads.get(execution.leadId);
        if (!mine.has(execution.id) || !lead) continue;
        if (!lead.providerId && outcome.providerId) backfill.push({ lead, providerId: outcome.providerId });
        if (outcome.alreadyConnected) {
          await this.backfillProviderIds(em, backfill.splice(0));
          await this.alreadyConnected(em, attempt, lead);
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
        const last = !(await this.hasStep(em, execution.campaignId, execution.sequenceVersion, execution.stepIndex + 1));
        // An invite recorded by reconciliation may find its acceptance recorded already: still connected.
        const invited = lead.status === LeadStatus.CONNECTED ? LeadStatus.CONNECTED : LeadStatus.INVITE_SENT;
        const status = last ? LeadStatus.COMPLETED : isInvite ? invited : LeadStatus.MESSAGED;
        advanced.push({ lead, status, reason: last ? 'SEQUENCE_FINISHED' : null, execution, at, isInvite, chatId: outcome.chatId });
        if (status !== lead.status) {
          events.push(statusChangedEvent(lead, lead.status, status, last ? 'SEQUENCE_FINISHED' : `STEP_${execution.stepIndex}_SENT`, at, EventSource.ENGINE));
        }
      }
      await saveExecutions(em, sent);
      await this.backfillProviderIds(em, backfill);
      await this.advanceLeads(em, advanced);
      await rescheduleLeadIds(
        em,
        advanced.map((a) => a.lead.id),
      );
      await insertLeadEvents(em, events);
      return mine;
    });
  }

  /** The leads' step went out: status, sequence version, next step, send times, chat, in one statement. */
  private async advanceLeads(
    em: EntityManager,
    rows: Array<{ lead: Lead; status: LeadStatus; reason: string | null; execution: StepExecution; at: Date; isInvite: boolean; chatId: string | null }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `UPDATE lead l SET status = v.status::lead_status, status_reason = v.reason, sequence_version = v.version, next_step_index = v.next,
              last_step_sent_at = v.at, first_outbound_at = coalesce(l.first_outbound_at, v.at),
              invite_sent_at = CASE WHEN v.invite THEN v.at ELSE l.invite_sent_at END, chat_id = coalesce(v.chat_id, l.chat_id), updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[], $7::bool[], $8::text[])
         AS v(id, status, reason, version, next, at, invite, chat_id)
       WHERE l.id = v.id`,
      [
        rows.map((r) => r.lead.id),
        rows.map((r) => r.status),
        rows.map((r) => r.reason),
        rows.map((r) => r.execution.sequenceVersion),
        rows.map((r) => r.execution.stepIndex + 1),
        rows.map((r) => r.at.toISOString()),
        rows.map((r) => r.isInvite),
        rows.map((r) => r.chatId),
      ],
    );
  }

  /**
   * Executions of a batch claimed but not sent, because their account stopped (rate-limited,
   * disconnected) during the batch: nothing went out for a fresh one, so its slot is released and
   * it is skipped with its lead due at `due`; one that resumed an earlier attempt is held, still to
   * be reconciled. Only those still claimed by this worker. Returns the held ones and when they retry.
   */
  async unclaim(em: EntityManager, attempts: Attempt[], stopOf: (a: Attempt) => { reason: string; due: Date }): Promise<Map<string, Date>> {
    const held = new Map<string, Date>();
    const claimed: Array<{ id: string }> = await em.query(
      `SELECT e.id FROM step_execution e JOIN unnest($1::uuid[], $2::timestamptz[]) AS v(id, started) ON v.id = e.id
       WHERE e.state = 'sending' AND e.worker_id = $3 AND e.sending_started_at = v.started FOR UPDATE OF e`,
      [attempts.map((a) => a.execution.id), attempts.map((a) => a.execution.sendingStartedAt!.toISOString()), this.workerId],
    );
    const mine = new Set(claimed.map((r) => r.id));
    for (const attempt of attempts.filter((a) => mine.has(a.execution.id))) {
      const { reason, due } = stopOf(attempt);
      if (attempt.reconcile) {
        const retryAt = reason === 'COOLDOWN' ? due : new Date(attempt.at.getTime() + HELD_RETRY_RECHECK_MS);
        await this.holdRetry(em, attempt.execution, reason, retryAt);
        held.set(attempt.execution.id, retryAt);
      } else {
        const lead = await em.findOneOrFail(Lead, { where: { id: attempt.execution.leadId }, lock: { mode: 'pessimistic_write' } });
        await this.skip(em, attempt.execution, reason, lead, due, attempt.at);
      }
    }
    return held;
  }

  /** Unipile refused or could not answer: act on its code. */
  async failed(attempt: Attempt, error: UnipileError): Promise<ExecutionResult> {
    const { execution, account } = attempt;
    const now = this.clock.now();
    const retry = await this.dataSource.transaction(async (em): Promise<ExecutionResult> => {
      const lead = await em.findOneOrFail(Lead, { where: { id: execution.leadId }, lock: { mode: 'pessimistic_write' } });
      switch (error.code) {
        case 'RATE_LIMITED': {
          // LinkedIn counted the attempt: the slot stays used; the account rests and its queue moves.
          const until = new Date(now.getTime() + this.settings.cooldownMs);
          await em.update(LinkedInAccount, account.id, { cooldownUntil: until });
          if (attempt.reconcile) {
            // An earlier attempt may have gone out: not skipped (a fresh send could repeat it), held.
            await this.deferQueue(em, account.id, 'COOLDOWN', until);
            return this.holdRetry(em, execution, 'COOLDOWN', until);
          }
          execution.ledgerDay = null;
          await this.skip(em, execution, 'COOLDOWN', lead, until);
          await this.deferQueue(em, account.id, 'COOLDOWN', until);
          return 'skipped';
        }
        case 'ACCOUNT_DISCONNECTED':
        case 'ACCOUNT_RESTRICTED': {
          const status = error.code === 'ACCOUNT_DISCONNECTED' ? AccountStatus.DISCONNECTED : AccountStatus.RESTRICTED;
          await em.update(LinkedInAccount, account.id, { status, statusReason: `Unipile: ${error.details?.type ?? error.message}` });
          if (attempt.reconcile) {
            await this.deferQueue(em, account.id, `ACCOUNT_${status}`, now);
            return this.holdRetry(em, execution, `ACCOUNT_${status}`, new Date(now.getTime() + HELD_RETRY_RECHECK_MS));
          }
          await this.skip(em, execution, `ACCOUNT_${status}`, lead, now);
          await this.deferQueue(em, account.id, `ACCOUNT_${status}`, now);
          return 'skipped';
        }
        case 'ALREADY_INVITED':
          // On a retry this answers our own earlier invitation; otherwise an invitation exists already.
          if (attempt.reconcile) return 'recorded';
          return this.alreadyInvited(em, execution, lead);
        case 'INVALID_RECIPIENT':
        case 'NOT_FOUND':
        case 'BAD_REQUEST':
          return this.failLead(em, execution, lead, `${error.code}${error.details?.type ? `:${error.details?.type}` : ''}`);
        case 'TEMPORARY':
        case 'UNEXPECTED_RESPONSE': {
          // The outcome is unknown: retry later, reconciling first, until attempts run out.
          if (execution.attempts >= this.settings.maxAttempts) {
            execution.ledgerDay = null; // it may have gone out: the slot stays used
            return this.failLead(em, execution, lead, `UNIPILE_UNAVAILABLE:${error.code}`);
          }
          const at = new Date(now.getTime() + this.settings.retryBaseMs * 4 ** (execution.attempts - 1));
          Object.assign(execution, { state: ExecutionState.RETRYING, scheduledFor: at, lastError: `${error.code}: ${error.message}` });
          await saveExecution(em, execution);
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

  private async alreadyInvited(em: EntityManager, execution: StepExecution, lead: Lead): Promise<ExecutionResult> {
    await this.releaseHeldSlot(em, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: 'ALREADY_INVITED' });
    await saveExecution(em, execution);
    const now = this.clock.now();
    await em.update(Lead, lead.id, {
      status: LeadStatus.INVITE_SENT,
      statusReason: 'ALREADY_INVITED',
      sequenceVersion: execution.sequenceVersion,
      nextStepIndex: execution.stepIndex + 1,
      inviteSentAt: now,
      lastStepSentAt: now,
    });
    await rescheduleLeads(em, lead.campaignId, [lead.id]);
    await insertLeadEvents(em, [statusChangedEvent(lead, lead.status, LeadStatus.INVITE_SENT, 'ALREADY_INVITED', now, EventSource.ENGINE)]);
    return 'skipped';
  }

  /** The invitee is a connection already: no invite needed, the sequence goes on from now. */
  private async alreadyConnected(em: EntityManager, attempt: Attempt, lead: Lead): Promise<void> {
    const { execution } = attempt;
    const now = attempt.at;
    await this.releaseHeldSlot(em, execution);
    Object.assign(execution, { state: ExecutionState.SKIPPED, lastError: 'ALREADY_CONNECTED', ledgerDay: null });
    await saveExecution(em, execution);
    if (!isActiveLeadStatus(lead.status)) return;
    await em.update(Lead, lead.id, {
      status: LeadStatus.CONNECTED,
      statusReason: 'ALREADY_CONNECTED',
      sequenceVersion: execution.sequenceVersion,
      nextStepIndex: execution.stepIndex + 1,
      connectedAt: now,
      lastStepSentAt: now,
    });
    await rescheduleLeads(em, lead.campaignId, [lead.id]);
    await insertLeadEvents(em, [
      this.event(lead, execution, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL, { meta: { linkedin_account_id: attempt.account.id } }, now),
      statusChangedEvent(lead, lead.status, LeadStatus.CONNECTED, 'ALREADY_CONNECTED', now, EventSource.ENGINE),
    ]);
  }

  /** Other executions of the account waiting to run are skipped; their leads wait until `due`. */
  private async deferQueue(em: EntityManager, accountId: string, reason: string, due: Date): Promise<void> {
    await em.query(
      `WITH skipped AS (
         UPDATE step_execution SET state = 'skipped', last_error = $2, updated_at = now()
         WHERE account_id = $1 AND state = 'scheduled' RETURNING lead_id)
       UPDATE lead SET next_action_at = $3, waiting_reason = $2 FROM skipped WHERE lead.id = skipped.lead_id`,
      [accountId, reason, due],
    );
  }

  /** Only fills a missing member id, and never into a clash with another lead of the same person. */
  private async backfillProviderIds(em: EntityManager, rows: Array<{ lead: Lead; providerId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `UPDATE lead l SET provider_id = v.provider_id
       FROM unnest($1::uuid[], $2::text[]) AS v(id, provider_id)
       WHERE l.id = v.id AND NOT EXISTS (
         SELECT 1 FROM lead o WHERE o.id <> l.id AND o.provider_id = v.provider_id
           AND (o.campaign_id = l.campaign_id OR (o.workspace_id = l.workspace_id AND o.status IN ('pending_invite', 'invite_sent', 'connected', 'messaged'))))`,
      [rows.map((r) => r.lead.id), rows.map((r) => r.providerId)],
    );
    for (const { lead, providerId } of rows) lead.providerId = providerId;
  }

  private async hasStep(em: EntityManager, campaignId: string, version: number, stepIndex: number): Promise<boolean> {
    const key = `${campaignId}/${version}/${stepIndex}`;
    const known = this.steps.get(key);
    if (known !== undefined) return known;
    const [row]: Array<{ n: number }> = await em.query(
      `SELECT count(*)::int AS n FROM sequence_step WHERE campaign_id = $1 AND version = $2 AND step_index = $3`,
      [campaignId, version, stepIndex],
    );
    this.steps.set(key, row.n > 0);
    return row.n > 0;
  }

  private async releaseHeldSlot(em: EntityManager, execution: StepExecution): Promise<void> {
    if (!execution.ledgerDay) return;
    await releaseSlot(em, execution.accountId, kindOf(execution), execution.ledgerDay);
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
