import { INVITATION_NOTE_MAX_LENGTH } from '../../core/linkedin-limits';
import { AccountStatus, type ActionKind, currentOrNextWindow, isInsideWindow, type LinkedInAccount, localDay } from '../accounts';
import {
  type Campaign,
  CampaignStatus,
  leadTemplateValues,
  MissingTemplateValueError,
  renderTemplate,
  type SequenceStep,
  StepKind,
} from '../campaigns';
import { isActiveLeadStatus, type Lead } from '../leads';
import type { Gate } from './eligibility';
import type { Refusal } from './rate-ledger';
import { type ExecutionResult, kindOf } from './step-attempt';
import { ExecutionState, type StepExecution } from './step-execution.entity';

// Whether and how a step execution runs now, as the rules of the sequence engine say: each rule a
// pure function of the execution's rows, checked in order (no database, no clock of its own).

/** How often a retry held back by its account (disconnected, restricted, paused) looks again. */
export const HELD_RETRY_RECHECK_MS = 15 * 60_000;

/** What the claim does with one execution. */
export type Decision =
  /** Nothing to do (already settled, or not yet due). */
  | { kind: 'done'; result: ExecutionResult }
  /** An earlier attempt may have gone out: it waits, still `retrying`, until `retryAt`. */
  | { kind: 'hold'; reason: string; retryAt: Date }
  /** Not now: the lead is due again at `due` (an instant, or as its sequence says), with the reason. */
  | { kind: 'skip'; reason: string; lead: Lead | null; due?: Date | 'reschedule' }
  /** The lead cannot go on. */
  | { kind: 'fail'; reason: string }
  /** The lead leaves its sequence (excluded). */
  | { kind: 'exclude'; reason: string }
  /** An earlier attempt is finished: reconcile with Unipile, then send if nothing went out. */
  | { kind: 'resume'; text: string | null }
  /** Send, on a slot of this kind on the account's local day (to reserve). */
  | { kind: 'send'; text: string | null; slot: ActionKind; day: string };

/** What a decision reads: the execution's rows (null: gone), the gate holding its lead back, the instant, the lease. */
export type StepFacts = {
  execution: StepExecution;
  lead: Lead | null;
  account: LinkedInAccount | null;
  step: SequenceStep | null;
  campaign?: Campaign;
  /** The first eligibility gate that holds the lead back (see eligibilityGates), if any. */
  gate: Gate | undefined;
  now: Date;
  /** How long a `sending` claim belongs to the worker that made it. */
  leaseMs: number;
};

/** The facts of an execution whose rows all exist. */
export type PresentFacts = Omit<StepFacts, 'lead' | 'account' | 'step' | 'campaign'> & {
  lead: Lead;
  account: LinkedInAccount;
  step: SequenceStep;
  campaign: Campaign;
};

/** A rule: the decision it imposes, or undefined when it lets the step go on to the next rule. */
export type StepRule = (facts: PresentFacts) => Decision | undefined;

const NOOP: Decision = { kind: 'done', result: 'noop' };

/** Sent, failed or skipped; `sending` under a live lease (another worker's send); a retry not yet due: nothing to do. */
export function alreadySettled({ execution, now, leaseMs }: Pick<StepFacts, 'execution' | 'now' | 'leaseMs'>): Decision | undefined {
  const finished = [ExecutionState.SENT, ExecutionState.FAILED, ExecutionState.SKIPPED].includes(execution.state);
  const inFlight = execution.state === ExecutionState.SENDING && execution.sendingStartedAt!.getTime() > now.getTime() - leaseMs;
  const retryNotDue = execution.state === ExecutionState.RETRYING && execution.scheduledFor > now;
  return finished || inFlight || retryNotDue ? NOOP : undefined;
}

/** Whether the lead, account, step and campaign all still exist (one deleted: the step is skipped, nothing rescheduled). */
export const hasAllRows = (facts: StepFacts): facts is PresentFacts => !!facts.lead && !!facts.account && !!facts.step && !!facts.campaign;

/**
 * A step already on its way (sending after a crash, or retrying) is finished, not re-decided:
 * never during a cooldown, nor while its account is disconnected, restricted or paused (it waits
 * as it is, still to be reconciled first); else it resumes.
 */
export function finishEarlierAttempt({ account, lead, step, now }: PresentFacts): Decision {
  const cooling = account.cooldownUntil && account.cooldownUntil > now;
  if (account.status !== AccountStatus.ACTIVE || cooling) {
    return {
      kind: 'hold',
      reason: cooling ? 'COOLDOWN' : `ACCOUNT_${account.status}`,
      retryAt: cooling ? account.cooldownUntil! : new Date(now.getTime() + HELD_RETRY_RECHECK_MS),
    };
  }
  return { kind: 'resume', text: renderStep(lead, step) };
}

/** The lead left its sequence, moved to another step, or to another sequence version: this step is stale. */
export const leadMovedOn: StepRule = ({ lead, campaign, execution }) => {
  const version = lead.sequenceVersion ?? campaign.sequenceVersion;
  const stale = !isActiveLeadStatus(lead.status) || lead.nextStepIndex !== execution.stepIndex || version !== execution.sequenceVersion;
  return stale ? { kind: 'skip', reason: 'LEAD_MOVED_ON', lead: null } : undefined;
};

/** An operator paused the whole scheduler: the lead stays due (now) and is taken again after the resume. */
export const schedulerPaused: StepRule = ({ gate, lead, now }) =>
  gate === 'SCHEDULER_PAUSED' ? { kind: 'skip', reason: gate, lead, due: now } : undefined;

/** The workspace's admin paused its sending: rescheduled like a paused campaign's lead (not due until the resume). */
export const workspacePaused: StepRule = ({ gate, lead }) =>
  gate === 'WORKSPACE_PAUSED' ? { kind: 'skip', reason: gate, lead, due: 'reschedule' } : undefined;

/** The campaign is not active (paused, draft, finished): rescheduled as its status says. */
export const campaignNotActive: StepRule = ({ campaign, lead }) =>
  campaign.status !== CampaignStatus.ACTIVE ? { kind: 'skip', reason: `CAMPAIGN_${campaign.status}`, lead, due: 'reschedule' } : undefined;

/** The sender is disconnected, restricted or paused: the lead stays due. */
export const accountNotActive: StepRule = ({ account, lead, now }) =>
  account.status !== AccountStatus.ACTIVE ? { kind: 'skip', reason: `ACCOUNT_${account.status}`, lead, due: now } : undefined;

/** The sender rests after LinkedIn's rate limit: the lead is due when the cooldown ends. */
export const accountCoolingDown: StepRule = ({ account, lead, now }) =>
  account.cooldownUntil && account.cooldownUntil > now ? { kind: 'skip', reason: 'COOLDOWN', lead, due: account.cooldownUntil } : undefined;

/** Outside the sender's working hours (its timezone): the lead is due when its next window opens. */
export const outsideWorkingHours: StepRule = ({ account, lead, now }) => {
  const window = currentOrNextWindow(account, now);
  return isInsideWindow(window, now) ? undefined : { kind: 'skip', reason: 'OUTSIDE_WORKING_HOURS', lead, due: window.start };
};

/** The person is on the workspace's do-not-contact list: the lead is excluded. */
export const onDoNotContactList: StepRule = ({ gate }) => (gate === 'DO_NOT_CONTACT' ? { kind: 'exclude', reason: gate } : undefined);

/** The rules a fresh step passes before it is sent, in the order they are checked. */
export const FRESH_STEP_RULES: readonly StepRule[] = [
  leadMovedOn,
  schedulerPaused,
  workspacePaused,
  campaignNotActive,
  accountNotActive,
  accountCoolingDown,
  outsideWorkingHours,
  onDoNotContactList,
];

/** The step's text for this lead (null: a step without a template); throws MissingTemplateValueError. */
export function renderStep(lead: Lead, step: SequenceStep): string | null {
  return step.template ? renderTemplate(step.template, leadTemplateValues(lead)) : null;
}

/**
 * The send itself, once every rule let it through: the lead fails when its template misses a
 * value or an invite note is longer than LinkedIn takes; else it is sent on a slot of the local day.
 */
export function composeSend({ lead, step, account, now }: PresentFacts): Decision {
  let text: string | null;
  try {
    text = renderStep(lead, step);
  } catch (error) {
    if (!(error instanceof MissingTemplateValueError)) throw error;
    return { kind: 'fail', reason: `MISSING_TEMPLATE_VALUE:${error.variable}` };
  }
  if (step.kind === StepKind.INVITE && text && text.length > INVITATION_NOTE_MAX_LENGTH) return { kind: 'fail', reason: 'INVITE_NOTE_TOO_LONG' };
  return { kind: 'send', text, slot: kindOf(step), day: localDay(account.timezone, now) };
}

/** Whether and how one execution runs now. */
export function decideStep(facts: StepFacts): Decision {
  const settled = alreadySettled(facts);
  if (settled) return settled;
  if (!hasAllRows(facts)) return { kind: 'skip', reason: 'LEAD_OR_STEP_GONE', lead: null };
  if (facts.execution.state !== ExecutionState.SCHEDULED) return finishEarlierAttempt(facts);
  for (const rule of FRESH_STEP_RULES) {
    const decision = rule(facts);
    if (decision) return decision;
  }
  return composeSend(facts);
}

/** A send the rate ledger refused (a daily, ramp or weekly cap): skipped, its lead due again now, with the refusal as reason. */
export const slotRefused = (refusal: Refusal, lead: Lead | null, now: Date): Decision => ({ kind: 'skip', reason: refusal, lead, due: now });
