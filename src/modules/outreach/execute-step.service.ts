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
import { type SendOutcome, StepSender } from './step-sender';
import { ExecutionState, StepExecution } from './step-execution.entity';
import { HELD_RETRY_RECHECK_MS, StepOutcomes, saveExecution } from './step-outcomes';
import { reserveSlot } from './rate-ledger';
import { currentOrNextWindow, isInsideWindow, localDay } from './working-window';

export type Attempt = {
  execution: StepExecution;
  lead: Lead;
  account: LinkedInAccount;
  step: SequenceStep;
  text: string | null;
  /** A previous attempt may have gone through: ask Unipile before sending. */
  reconcile: boolean;
};

export type ExecutionResult = 'sent' | 'recorded' | 'skipped' | 'failed' | 'retrying' | 'noop';

export const kindOf = (step: { kind: StepKind }): ActionKind => (step.kind === StepKind.INVITE ? 'invite' : 'message');

/**
 * Runs one step execution: checks it may still run, reserves a rate-ledger slot and marks it
 * `sending` (one transaction), calls Unipile, then records the outcome (another transaction).
 * A worker that dies between the two leaves `sending` behind; whoever runs the execution after
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
    this.outcomes = new StepOutcomes(dataSource, clock, settings, scheduler);
  }

  async execute(executionId: string): Promise<ExecutionResult> {
    const attempt = await this.dataSource.transaction((em) => this.begin(em, executionId));
    if (typeof attempt === 'string') return attempt;
    if ('retryAt' in attempt) {
      await this.scheduler.scheduleExecution(executionId, attempt.retryAt);
      return 'retrying';
    }
    let outcome: SendOutcome | undefined;
    try {
      outcome = attempt.reconcile ? await this.sender.findDone(attempt) : undefined;
      if (outcome) {
        await this.outcomes.succeeded(attempt, outcome, 'reconciled');
        return 'recorded';
      }
      outcome = await this.sender.send(attempt);
    } catch (error) {
      if (!(error instanceof UnipileError)) throw error; // stays `sending`: reconciled after the lease
      this.log.warn({ executionId, code: error.code, type: error.details?.type }, 'step execution failed at Unipile');
      return this.outcomes.failed(attempt, error);
    }
    await this.outcomes.succeeded(attempt, outcome, 'sent');
    return 'sent';
  }

  /** Phase 1: decide whether and how this execution runs; reserve its slot; mark it `sending`. */
  private async begin(em: EntityManager, executionId: string): Promise<Attempt | ExecutionResult | { retryAt: Date }> {
    const now = this.clock.now();
    const locked = await this.lock(em, executionId);
    if (!locked) return 'noop';
    const { execution, lead, account } = locked;
    const inFlight = execution.state === ExecutionState.SENDING && execution.sendingStartedAt!.getTime() > now.getTime() - this.settings.leaseMs;
    const finished = [ExecutionState.SENT, ExecutionState.FAILED, ExecutionState.SKIPPED].includes(execution.state);
    if (finished || inFlight) return 'noop';
    if (execution.state === ExecutionState.RETRYING && execution.scheduledFor > now) return 'noop';

    const step = await this.step(em, execution);
    if (!lead || !account || !step) return this.outcomes.skip(em, execution, 'LEAD_OR_STEP_GONE', null);

    // A step already on its way (sending after a crash, or retrying) is finished, not re-decided,
    // but only once its account may act again: never during a cooldown, nor while it is
    // disconnected, restricted or paused. It waits as it is, still to be reconciled first.
    if (execution.state !== ExecutionState.SCHEDULED) {
      const cooling = account.cooldownUntil && account.cooldownUntil > now;
      if (account.status !== AccountStatus.ACTIVE || cooling) {
        const reason = cooling ? 'COOLDOWN' : `ACCOUNT_${account.status}`;
        const retryAt = cooling ? account.cooldownUntil! : new Date(now.getTime() + HELD_RETRY_RECHECK_MS);
        await this.outcomes.holdRetry(em, execution, reason, retryAt);
        return { retryAt };
      }
      Object.assign(execution, { state: ExecutionState.SENDING, attempts: execution.attempts + 1, sendingStartedAt: now, workerId: this.workerId });
      await saveExecution(em, execution);
      return { execution, lead, account, step, text: this.render(lead, step), reconcile: true };
    }

    const campaign = locked.campaign ?? (await em.findOneByOrFail(Campaign, { id: execution.campaignId }));
    const version = lead.sequenceVersion ?? campaign.sequenceVersion;
    if (!isActiveLeadStatus(lead.status) || lead.nextStepIndex !== execution.stepIndex || version !== execution.sequenceVersion) {
      return this.outcomes.skip(em, execution, 'LEAD_MOVED_ON', null);
    }
    const { paused, workspacePaused, doNotContact } = await this.gates(em, lead);
    if (paused) return this.outcomes.skip(em, execution, 'SCHEDULER_PAUSED', lead, now);
    // Rescheduled like a paused campaign's lead: not due (WORKSPACE_PAUSED) until its admin resumes.
    if (workspacePaused) return this.outcomes.skip(em, execution, 'WORKSPACE_PAUSED', lead, 'reschedule');
    if (campaign.status !== CampaignStatus.ACTIVE) return this.outcomes.skip(em, execution, `CAMPAIGN_${campaign.status}`, lead, 'reschedule');
    if (account.status !== AccountStatus.ACTIVE) return this.outcomes.skip(em, execution, `ACCOUNT_${account.status}`, lead, now);
    if (account.cooldownUntil && account.cooldownUntil > now) return this.outcomes.skip(em, execution, 'COOLDOWN', lead, account.cooldownUntil);
    const window = currentOrNextWindow(account, now);
    if (!isInsideWindow(window, now)) return this.outcomes.skip(em, execution, 'OUTSIDE_WORKING_HOURS', lead, window.start);
    if (doNotContact) {
      await excludeActiveLeads(em, { leadIds: [lead.id] }, 'DO_NOT_CONTACT', now, EventSource.ENGINE);
      return this.outcomes.skip(em, execution, 'DO_NOT_CONTACT', null);
    }
    let text: string | null;
    try {
      text = this.render(lead, step);
    } catch (error) {
      if (!(error instanceof MissingTemplateValueError)) throw error;
      return this.outcomes.failLead(em, execution, lead, `MISSING_TEMPLATE_VALUE:${error.variable}`);
    }
    if (step.kind === StepKind.INVITE && text && text.length > INVITE_NOTE_MAX_LENGTH) {
      return this.outcomes.failLead(em, execution, lead, 'INVITE_NOTE_TOO_LONG');
    }
    const day = localDay(account.timezone, now);
    const refusal = await reserveSlot(em, account, kindOf(step), day);
    if (refusal) return this.outcomes.skip(em, execution, refusal, lead, now);
    Object.assign(execution, {
      state: ExecutionState.SENDING,
      attempts: execution.attempts + 1,
      ledgerDay: day,
      sendingStartedAt: now,
      workerId: this.workerId,
      lastError: null,
    });
    await saveExecution(em, execution);
    return { execution, lead, account, step, text, reconcile: false };
  }

  /**
   * Locks the execution with its lead and account in one statement (the usual case); when the
   * lead or account is gone, the execution alone.
   */
  private async lock(
    em: EntityManager,
    executionId: string,
  ): Promise<{ execution: StepExecution; lead: Lead | null; account: LinkedInAccount | null; campaign?: Campaign } | undefined> {
    // The campaign comes along unlocked (its status is read, as findOne would).
    const joined = (await em
      .createQueryBuilder(StepExecution, 'e')
      .innerJoinAndSelect('e.lead', 'l')
      .innerJoinAndMapOne('e.account', LinkedInAccount, 'a', 'a.id = e.account_id')
      .innerJoinAndMapOne('e.campaign', Campaign, 'c', 'c.id = e.campaign_id')
      .where('e.id = :executionId', { executionId })
      .setLock('pessimistic_write', undefined, ['e', 'l', 'a'])
      .getOne()) as (StepExecution & { account?: LinkedInAccount; campaign?: Campaign }) | null;
    if (joined?.lead && joined.account && joined.campaign) {
      const { lead, account, campaign } = joined;
      delete joined.lead;
      delete joined.account;
      delete joined.campaign;
      return { execution: joined, lead, account, campaign };
    }
    const execution = await em.findOne(StepExecution, { where: { id: executionId }, lock: { mode: 'pessimistic_write' } });
    if (!execution) return undefined;
    const lead = await em.findOne(Lead, { where: { id: execution.leadId }, lock: { mode: 'pessimistic_write' } });
    const account = await em.findOne(LinkedInAccount, { where: { id: execution.accountId }, lock: { mode: 'pessimistic_write' } });
    return { execution, lead, account };
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

  /** Whether sending is paused (instance, workspace), and whether the lead is on the do-not-contact list: one round trip. */
  private async gates(em: EntityManager, lead: Lead): Promise<{ paused: boolean; workspacePaused: boolean; doNotContact: boolean }> {
    const [row]: Array<{ paused: boolean; workspace_paused: boolean; dnc: boolean }> = await em.query(
      `SELECT (SELECT paused FROM scheduler_state WHERE id = 1) AS paused,
              coalesce((SELECT sending_paused FROM workspace WHERE id = $1), false) AS workspace_paused,
              EXISTS (SELECT 1 FROM do_not_contact
                      WHERE workspace_id = $1 AND (public_identifier = $2 OR provider_id = $3)) AS dnc`,
      [lead.workspaceId, lead.publicIdentifier, lead.providerId],
    );
    return { paused: row.paused, workspacePaused: row.workspace_paused, doNotContact: row.dnc };
  }
}
