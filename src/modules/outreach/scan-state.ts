import type { ActionKind } from '../accounts';
import type { Usage } from './rate-ledger';

/** What one account's scan knows before deciding (read in one round trip: ScanRepository.state). */
export type AccountScanState = {
  /** Some lead of the account is due (next_action_at has passed). */
  due: boolean;
  /** Some lead became due after `since` (every due lead, without `since`). */
  freshDue: boolean;
  /** Some invited lead reached its acceptance deadline (after `since`, with it). */
  dueUnaccepted: boolean;
  used: Usage;
  /** Executions scheduled and not yet run, per kind. */
  pending: Record<ActionKind, number>;
  /** The latest action scheduled (or done) in the current window: pacing continues from it. */
  lastScheduledAt: Date | null;
};
