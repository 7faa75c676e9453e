import type { ActionKind, LinkedInAccount } from '../accounts';
import { type SequenceStep, StepKind } from '../campaigns';
import type { Lead } from '../leads';
import type { StepExecution } from './step-execution.entity';

// Shared by the step executor, its sender and its outcomes: its own file, so they form no import cycle.

export type Attempt = {
  execution: StepExecution;
  lead: Lead;
  account: LinkedInAccount;
  step: SequenceStep;
  text: string | null;
  /** A previous attempt may have gone through: ask Unipile before sending. */
  reconcile: boolean;
  /** The instant this attempt runs at (the clock's now, or its scheduled time in a simulation). */
  at: Date;
};

export type ExecutionResult = 'sent' | 'recorded' | 'skipped' | 'failed' | 'retrying' | 'noop';

export const kindOf = (step: { kind: StepKind }): ActionKind => (step.kind === StepKind.INVITE ? 'invite' : 'message');
