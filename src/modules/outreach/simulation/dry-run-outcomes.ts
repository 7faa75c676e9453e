import { type SequenceStep, StepKind } from '../../campaigns';
import { containsOptOutPhrase, DEFAULT_OPT_OUT_PHRASES, isActiveLeadStatus, type Lead, LeadEventType, LeadStatus } from '../../leads';
import type { SandboxMessage, SandboxRelation } from '../../unipile';
import type { EventQueue } from '../../../core/time/event-queue';
import type { EngineSettings } from '../engine-settings';
import { kindOf } from '../step-attempt';
import type { SendResult } from './dry-run-sender';
import type { DryExecution, DryRunState } from './dry-run-state';

/**
 * How a dry run writes down what happened, as the engine does: the end of each step (StepOutcomes)
 * and what LinkedIn reports about a lead (LeadProgressService.markConnected, markReplied).
 */
export class DryRunOutcomes {
  constructor(
    private readonly state: DryRunState,
    private readonly settings: EngineSettings,
    /** The run's queued sends: a skipped execution leaves it. */
    private readonly sends: EventQueue,
  ) {}

  /** The step will not run now; the lead is due again at `due` (or per its schedule) with the reason. */
  skip(execution: DryExecution, reason: string, lead: Lead | null, due: Date | 'reschedule' | undefined, now: Date): void {
    this.state.settle(execution, 'skipped');
    if (!lead || due === undefined) return;
    const before = lead.waitingReason;
    if (due === 'reschedule') this.state.reschedule(lead);
    else this.state.setDue(lead, due, reason);
    if (before !== reason) this.state.record(lead, LeadEventType.STEP_DEFERRED, now, execution.stepIndex, reason);
  }

  /** The lead cannot go on: it fails with the reason. */
  failLead(execution: DryExecution, reason: string, now: Date): void {
    const { lead } = execution;
    this.state.settle(execution, 'failed');
    this.state.record(lead, LeadEventType.STEP_FAILED, now, execution.stepIndex, reason);
    if (!isActiveLeadStatus(lead.status)) return;
    lead.statusReason = reason;
    this.state.setDue(lead, null, null);
    this.state.statusChanged(lead, LeadStatus.FAILED, reason, now);
  }

  /** What LinkedIn answered a send on the slot reserved on `day`: the step recorded and the lead advanced, or the refusal acted on. */
  sent(execution: DryExecution, step: SequenceStep, day: string, result: SendResult, now: Date): void {
    const { lead, account } = execution;
    const slot = kindOf(step);
    switch (result.outcome) {
      case 'failed':
        this.state.addUsed(account, day, slot, -1);
        return this.failLead(execution, result.reason, now);
      case 'rate-limited':
        return this.coolDown(execution, now);
      case 'already-invited':
        this.state.addUsed(account, day, slot, -1);
        return this.skipAhead(execution, LeadStatus.INVITE_SENT, 'ALREADY_INVITED', now);
      case 'already-connected':
        this.state.addUsed(account, day, slot, -1);
        return this.skipAhead(execution, LeadStatus.CONNECTED, 'ALREADY_CONNECTED', now);
    }
    this.state.settle(execution, 'sent');
    const isInvite = step.kind === StepKind.INVITE;
    this.state.record(lead, isInvite ? LeadEventType.CONNECTION_REQUEST_SENT : LeadEventType.MESSAGE_SENT, now, execution.stepIndex);
    if (!isActiveLeadStatus(lead.status)) return;
    const last = !this.state.step(execution.stepIndex + 1);
    const invited = lead.status === LeadStatus.CONNECTED ? LeadStatus.CONNECTED : LeadStatus.INVITE_SENT;
    const status = last ? LeadStatus.COMPLETED : isInvite ? invited : LeadStatus.MESSAGED;
    lead.statusReason = last ? 'SEQUENCE_FINISHED' : null;
    lead.nextStepIndex = execution.stepIndex + 1;
    lead.lastStepSentAt = now;
    lead.firstOutboundAt ??= now;
    if (isInvite) lead.inviteSentAt = now;
    lead.chatId = result.chatId ?? lead.chatId;
    if (status !== lead.status) this.state.statusChanged(lead, status, last ? 'SEQUENCE_FINISHED' : `STEP_${execution.stepIndex}_SENT`, now);
    this.state.reschedule(lead);
  }

  /** An invited lead past its acceptance deadline leaves the sequence. */
  exitUnaccepted(lead: Lead, now: Date): void {
    this.state.statusChanged(lead, LeadStatus.FAILED, 'INVITE_NOT_ACCEPTED', now);
    lead.statusReason = 'INVITE_NOT_ACCEPTED';
    this.state.setDue(lead, null, null);
  }

  /** LinkedIn made the member a connection: an invited lead is connected, its next step due as the sequence says. */
  connected(relation: SandboxRelation, now: Date): void {
    const lead = this.state.leadOf(relation.accountId, relation.providerId);
    if (!lead || (lead.status !== LeadStatus.PENDING_INVITE && lead.status !== LeadStatus.INVITE_SENT)) return;
    lead.connectedAt = relation.createdAt;
    this.state.record(lead, LeadEventType.CONNECTION_ACCEPTED, relation.createdAt, previousStep(lead));
    this.state.statusChanged(lead, LeadStatus.CONNECTED, 'INVITE_ACCEPTED', now);
    lead.statusReason = null;
    this.state.reschedule(lead);
  }

  /** The member wrote: the lead responded (or opted out), and nothing queued for it goes out. */
  replied(message: SandboxMessage, now: Date): void {
    const lead = this.state.leadOf(message.accountId, message.senderProviderId);
    if (!lead) return;
    const optedOut = containsOptOutPhrase(message.text, DEFAULT_OPT_OUT_PHRASES);
    this.state.record(lead, LeadEventType.MESSAGE_RECEIVED, message.sentAt, previousStep(lead));
    lead.chatId ??= message.chatId;
    if (lead.firstReplyAt === null || message.sentAt < lead.firstReplyAt) lead.firstReplyAt = message.sentAt;
    const canRespond = isActiveLeadStatus(lead.status) || lead.status === LeadStatus.COMPLETED;
    const status = optedOut ? LeadStatus.OPTED_OUT : canRespond ? LeadStatus.RESPONDED : lead.status;
    if (status !== lead.status && lead.status !== LeadStatus.OPTED_OUT) {
      this.state.statusChanged(lead, status, optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', now);
      lead.statusReason = optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED';
      this.state.setDue(lead, null, null);
      for (const e of this.state.accountOf(lead).executions) {
        if (e.lead === lead && e.state === 'scheduled') this.unqueue(e);
      }
    }
    if (optedOut) this.state.record(lead, LeadEventType.LEAD_OPTED_OUT, message.sentAt, previousStep(lead));
  }

  /** LinkedIn's rate limit: the slot stays used, the account rests, its queue waits for the end of the rest. */
  private coolDown(execution: DryExecution, now: Date): void {
    const { account } = execution;
    const until = new Date(now.getTime() + this.settings.cooldownMs);
    account.row.cooldownUntil = until;
    this.skip(execution, 'COOLDOWN', execution.lead, until, now);
    for (const queued of account.executions) {
      if (queued.state !== 'scheduled') continue;
      this.unqueue(queued);
      this.state.setDue(queued.lead, until, 'COOLDOWN');
    }
  }

  /** The lead moves past the step without a send of ours (StepOutcomes.alreadyInvited, alreadyConnected). */
  private skipAhead(execution: DryExecution, status: LeadStatus, reason: string, now: Date): void {
    const { lead } = execution;
    this.state.settle(execution, 'skipped');
    if (!isActiveLeadStatus(lead.status)) return;
    if (status === LeadStatus.CONNECTED) {
      lead.connectedAt = now;
      this.state.record(lead, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL, now, execution.stepIndex);
    } else lead.inviteSentAt = now;
    lead.statusReason = reason;
    lead.nextStepIndex = execution.stepIndex + 1;
    lead.lastStepSentAt = now;
    this.state.reschedule(lead);
    this.state.statusChanged(lead, status, reason, now);
  }

  private unqueue(execution: DryExecution): void {
    this.state.settle(execution, 'skipped');
    this.sends.cancel(execution.queued);
  }
}

/** The step an acceptance or reply follows (the last one sent). */
const previousStep = (lead: Lead): number | null => (lead.nextStepIndex > 0 ? lead.nextStepIndex - 1 : null);
