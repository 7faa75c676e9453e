import { INVITATION_NOTE_MAX_LENGTH } from '../../core/linkedin-limits';
import { StepKind } from './sequence-step.entity';
import { minimumRenderedLength, templateProblems } from './template';

export const MAX_STEPS = 20;
export const MAX_DELAY_MINUTES = 365 * 24 * 60;
export const DEFAULT_ACCEPT_TIMEOUT_DAYS = 21;

export type StepDefinition = {
  kind: StepKind;
  delayMinutes: number;
  template: string | null;
  acceptTimeoutDays: number | null;
};

/** The seed plan's sequence: invite now, then follow-ups 3, 6 and 9 days after the previous step. */
export const DEFAULT_SEQUENCE: readonly StepDefinition[] = [
  { kind: StepKind.INVITE, delayMinutes: 0, template: null, acceptTimeoutDays: null },
  {
    kind: StepKind.MESSAGE,
    delayMinutes: 4320,
    template: 'Hi {{first_name|there}}, thanks for connecting! Glad to be in touch.',
    acceptTimeoutDays: DEFAULT_ACCEPT_TIMEOUT_DAYS,
  },
  {
    kind: StepKind.MESSAGE,
    delayMinutes: 8640,
    template: 'Hi {{first_name|there}}, would a short call next week be useful?',
    acceptTimeoutDays: null,
  },
  {
    kind: StepKind.MESSAGE,
    delayMinutes: 12960,
    template: 'Hi {{first_name|there}}, last note from me: happy to help whenever the timing is right.',
    acceptTimeoutDays: null,
  },
];

export type SequenceProblem = { step: number | null; message: string };

/**
 * Rules for a sequence: 1–20 steps; at most one INVITE and only as the first step; MESSAGE steps
 * need text; templates use only known variables; an invite note fits LinkedIn's 300 characters.
 * The first MESSAGE after an INVITE waits for acceptance (acceptTimeoutDays, default 21).
 */
export function sequenceProblems(steps: readonly StepDefinition[], customFields: readonly string[]): SequenceProblem[] {
  const problems: SequenceProblem[] = [];
  if (steps.length === 0) problems.push({ step: null, message: 'a sequence needs at least one step' });
  if (steps.length > MAX_STEPS) problems.push({ step: null, message: `a sequence has at most ${MAX_STEPS} steps` });
  steps.forEach((step, index) => {
    const at = (message: string) => problems.push({ step: index, message });
    if (!Number.isInteger(step.delayMinutes) || step.delayMinutes < 0 || step.delayMinutes > MAX_DELAY_MINUTES) {
      at(`delayMinutes must be between 0 and ${MAX_DELAY_MINUTES}`);
    }
    if (step.kind === StepKind.INVITE && index > 0) at('an INVITE can only be the first step');
    if (step.kind === StepKind.MESSAGE && !step.template?.trim()) at('a MESSAGE step needs a template');
    if (step.kind === StepKind.INVITE && step.acceptTimeoutDays !== null) at('acceptTimeoutDays applies to MESSAGE steps only');
    if (step.acceptTimeoutDays !== null && (step.acceptTimeoutDays < 1 || step.acceptTimeoutDays > 365)) {
      at('acceptTimeoutDays must be between 1 and 365');
    }
    if (!step.template) return;
    for (const problem of templateProblems(step.template, customFields)) {
      at(
        problem.kind === 'UNKNOWN_VARIABLE'
          ? `unknown variable {{${problem.name}}} (known: first_name, last_name, full_name, company${customFields.map((f) => `, ${f}`).join('')})`
          : `malformed placeholder near "${problem.text}"`,
      );
    }
    if (step.kind === StepKind.INVITE && minimumRenderedLength(step.template) > INVITATION_NOTE_MAX_LENGTH) {
      at(`an invite note must fit in ${INVITATION_NOTE_MAX_LENGTH} characters`);
    }
  });
  return problems;
}

/** Fills defaults: the first MESSAGE after an INVITE waits DEFAULT_ACCEPT_TIMEOUT_DAYS unless told otherwise. */
export function withDefaults(steps: readonly StepDefinition[]): StepDefinition[] {
  const firstMessage = steps.findIndex((s) => s.kind === StepKind.MESSAGE);
  const hasInvite = steps[0]?.kind === StepKind.INVITE;
  return steps.map((step, index) => ({
    ...step,
    template: step.template?.trim() ? step.template : null,
    acceptTimeoutDays:
      step.acceptTimeoutDays ?? (hasInvite && index === firstMessage ? DEFAULT_ACCEPT_TIMEOUT_DAYS : null),
  }));
}
