import type { EntityManager } from 'typeorm';
import type { ActionKind } from './caps';
import type { Usage } from './rate-ledger';
import { addDays } from './working-window';

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

/**
 * What one account's scan needs to know, in one round trip: whether anything is due, the rate
 * ledger's usage (the local day and the 7 days ending with it), the queue, and the pacing anchor.
 * Every part is an index range: IDX_lead_due, the ledger's key, IDX_step_execution_account_state.
 */
export async function accountScanState(
  em: EntityManager,
  accountId: string,
  now: Date,
  day: string,
  windowStart: Date,
  since: Date | null,
): Promise<AccountScanState> {
  const [row]: Array<{
    due: boolean;
    fresh_due: boolean;
    due_unaccepted: boolean;
    invite_today: number;
    message_today: number;
    invite_week: number;
    pending_invite: number;
    pending_message: number;
    last_scheduled_at: Date | null;
  }> = await em.query(
    `SELECT EXISTS (SELECT 1 FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2) AS due,
            EXISTS (SELECT 1 FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
                      AND next_action_at > coalesce($6::timestamptz, '-infinity')) AS fresh_due,
            EXISTS (SELECT 1 FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
                      AND next_action_at > coalesce($6::timestamptz, '-infinity') AND status = 'invite_sent') AS due_unaccepted,
            coalesce((SELECT sum(used) FROM rate_ledger WHERE account_id = $1 AND kind = 'invite' AND day = $3::date), 0)::int AS invite_today,
            coalesce((SELECT sum(used) FROM rate_ledger WHERE account_id = $1 AND kind = 'message' AND day = $3::date), 0)::int AS message_today,
            coalesce((SELECT sum(used) FROM rate_ledger WHERE account_id = $1 AND kind = 'invite' AND day > $4::date AND day <= $3::date), 0)::int
              AS invite_week,
            (SELECT count(*) FROM step_execution WHERE account_id = $1 AND state = 'scheduled' AND kind = 'INVITE')::int AS pending_invite,
            (SELECT count(*) FROM step_execution WHERE account_id = $1 AND state = 'scheduled' AND kind = 'MESSAGE')::int AS pending_message,
            (SELECT max(scheduled_for) FROM step_execution
             WHERE account_id = $1 AND state IN ('scheduled', 'sending', 'retrying', 'sent') AND scheduled_for >= $5) AS last_scheduled_at`,
    [accountId, now, day, addDays(day, -7), windowStart, since],
  );
  return {
    due: row.due,
    freshDue: row.fresh_due,
    dueUnaccepted: row.due_unaccepted,
    used: { inviteToday: row.invite_today, messageToday: row.message_today, inviteWeek: row.invite_week },
    pending: { invite: row.pending_invite, message: row.pending_message },
    lastScheduledAt: row.last_scheduled_at,
  };
}
