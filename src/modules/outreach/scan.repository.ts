import type { EntityManager } from 'typeorm';
import { updateReturning } from '../../core/db/update-returning';
import { type ActionKind, LinkedInAccount } from '../accounts';
import { LeadEventRepository, type LeadStatus, type NewLeadEvent } from '../leads';
import type { ScanMemo } from './scan-memo';
import { SLOT_REASONS } from './scan-rules';
import type { AccountScanState } from './scan-state';
import { addDays } from '../../core/time/days';

/** A lead whose next step is due, with what its execution needs. */
export type DueLead = {
  id: string;
  workspace_id: string;
  campaign_id: string;
  account_id: string;
  status: LeadStatus;
  step_index: number;
  version: number;
  kind: 'INVITE' | 'MESSAGE';
};

/** A lead that got a new waiting reason (its step_deferred event is written from this). */
export type ReasonChangedLead = { id: string; workspace_id: string; campaign_id: string; account_id: string; next_step_index: number };

/** A lead that left its sequence (its status_changed event is written from this). */
export type ExitedLead = { id: string; workspace_id: string; campaign_id: string };

export type ScheduledExecution = { id: string; scheduled_for: Date };

/** The leads a deferral looked at, and those whose reason it changed. */
export type Deferred = { selected: number; changed: ReasonChangedLead[] };

/**
 * The due set of one account: a range scan of IDX_lead_due (account_id, next_action_at), so its
 * cost follows the number of due leads, however many leads the account has.
 */
export const DUE_LEADS_SQL = `
  SELECT l.id, l.workspace_id, l.campaign_id, l.account_id, l.status, l.next_step_index AS step_index,
         coalesce(l.sequence_version, c.sequence_version) AS version, s.kind
  FROM lead l
  JOIN campaign c ON c.id = l.campaign_id AND c.status = 'ACTIVE'
  JOIN sequence_step s ON s.campaign_id = l.campaign_id
                      AND s.version = coalesce(l.sequence_version, c.sequence_version)
                      AND s.step_index = l.next_step_index
  WHERE l.account_id = $1 AND l.next_action_at IS NOT NULL AND l.next_action_at <= $2
    AND s.kind = $3 AND l.status <> 'invite_sent'
  ORDER BY l.next_action_at
  LIMIT $4
  FOR NO KEY UPDATE OF l SKIP LOCKED`;

/** SQL: the lead `alias` would change meaningfully by getting reason `param` (see SLOT_REASONS). */
const reasonChanges = (alias: string, param: string) =>
  `${alias}.waiting_reason IS DISTINCT FROM ${param}
   AND NOT (${param} = 'OUTSIDE_WORKING_HOURS' AND ${alias}.waiting_reason IN (${SLOT_REASONS.map((r) => `'${r}'`).join(', ')}))`;

const stepKind = (kind: ActionKind) => (kind === 'invite' ? 'INVITE' : 'MESSAGE');

/**
 * What the engine's scan reads and writes: sender accounts, their due leads (on the lead and
 * campaign tables, through the due-lead index), the rate ledger and queue it counts, and the step
 * executions it creates.
 */
export class ScanRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): ScanRepository {
    return new ScanRepository(em);
  }

  /** Every sender account, in id order. */
  accounts(): Promise<LinkedInAccount[]> {
    return this.db.getRepository(LinkedInAccount).find({ order: { id: 'ASC' } });
  }

  /** The account locked for this transaction; undefined when missing or locked by another scan. */
  async lockAccount(accountId: string): Promise<LinkedInAccount | undefined> {
    const account = await this.db.findOne(LinkedInAccount, {
      where: { id: accountId },
      lock: { mode: 'for_no_key_update', onLocked: 'skip_locked' },
    });
    return account ?? undefined;
  }

  async setNextSlot(accountId: string, at: Date | null): Promise<void> {
    await this.db.query(`UPDATE linkedin_account SET next_slot_at = $2 WHERE id = $1`, [accountId, at]);
  }

  /** Which of these accounts got a lead due since their memo (one set-based query). */
  async freshDue(memos: Map<string, ScanMemo>, now: Date): Promise<Set<string>> {
    const rows: Array<{ account_id: string }> = await this.db.query(
      `SELECT m.account_id FROM unnest($1::uuid[], $2::timestamptz[]) AS m(account_id, at)
       WHERE EXISTS (SELECT 1 FROM lead l WHERE l.account_id = m.account_id AND l.next_action_at IS NOT NULL
                       AND l.next_action_at <= $3 AND l.next_action_at > m.at)`,
      [[...memos.keys()], [...memos.values()].map((m) => new Date(m.at).toISOString()), now],
    );
    return new Set(rows.map((r) => r.account_id));
  }

  /**
   * What one account's scan needs to know, in one round trip: whether anything is due, the rate
   * ledger's usage (the local day and the 7 days ending with it), the queue, and the pacing anchor.
   * Every part is an index range: IDX_lead_due, the ledger's key, IDX_step_execution_account_state.
   */
  async state(accountId: string, now: Date, day: string, windowStart: Date, since: Date | null): Promise<AccountScanState> {
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
    }> = await this.db.query(
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

  /** Due leads whose next step is of this kind (at most `limit`), locked; MESSAGE steps only for leads not waiting on an invite. */
  dueLeads(accountId: string, now: Date, kind: ActionKind, limit: number): Promise<DueLead[]> {
    return this.db.query(DUE_LEADS_SQL, [accountId, now, stepKind(kind), limit]);
  }

  /** Fails up to `limit` invited leads whose acceptance deadline passed (they leave the sequence). */
  exitUnaccepted(accountId: string, now: Date, limit: number): Promise<ExitedLead[]> {
    return updateReturning<ExitedLead>(
      this.db,
      `UPDATE lead l SET status = 'failed', status_reason = 'INVITE_NOT_ACCEPTED', next_action_at = NULL,
                         waiting_reason = NULL, updated_at = $2
       WHERE l.id IN (SELECT id FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
                        AND status = 'invite_sent' ORDER BY next_action_at LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED)
       RETURNING l.id, l.workspace_id, l.campaign_id`,
      [accountId, now, limit],
    );
  }

  /** Gives up to `limit` due leads of the account (only those due after `since`, with it) the waiting reason. */
  deferDue(accountId: string, now: Date, limit: number, reason: string, since: Date | null): Promise<Deferred> {
    return this.deferSelected(
      `SELECT id FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
         AND next_action_at > coalesce($4::timestamptz, '-infinity') ORDER BY next_action_at LIMIT $3`,
      [accountId, now, limit, since],
      reason,
    );
  }

  /** Gives the due leads of one kind (the due-lead selection, at most `limit`; after `since`, with it) the waiting reason. */
  deferDueOfKind(accountId: string, now: Date, kind: ActionKind, limit: number, reason: string, since: Date | null): Promise<Deferred> {
    const fresh = DUE_LEADS_SQL.replace('AND l.next_action_at <= $2', "AND l.next_action_at <= $2 AND l.next_action_at > coalesce($5::timestamptz, '-infinity')");
    return this.deferSelected(fresh, [accountId, now, stepKind(kind), limit, since], reason);
  }

  /**
   * The reason for the leads a query selects, in one round trip: a scan of an account that cannot
   * act repeats this every time, and most of its leads already carry the reason.
   */
  private async deferSelected(selectSql: string, params: unknown[], reason: string): Promise<Deferred> {
    const reasonParam = `$${params.length + 1}`;
    const [row]: Array<{ selected: number; changed: ReasonChangedLead[] }> = await this.db.query(
      `WITH selected AS (${selectSql}),
              changed AS (UPDATE lead SET waiting_reason = ${reasonParam} FROM selected
                          WHERE lead.id = selected.id AND ${reasonChanges('lead', reasonParam)}
                          RETURNING lead.id, lead.workspace_id, lead.campaign_id, lead.account_id, lead.next_step_index)
         SELECT (SELECT count(*) FROM selected)::int AS selected, (SELECT coalesce(json_agg(changed), '[]'::json) FROM changed) AS changed`,
      [...params, reason],
    );
    return row;
  }

  /** Gives these leads the waiting reason; answers those whose reason changed (meaningfully: SLOT_REASONS). */
  markDeferred(leadIds: string[], reason: string): Promise<ReasonChangedLead[]> {
    return updateReturning<ReasonChangedLead>(
      this.db,
      `UPDATE lead SET waiting_reason = $2 WHERE id = ANY($1::uuid[]) AND ${reasonChanges('lead', '$2')}
       RETURNING id, workspace_id, campaign_id, account_id, next_step_index`,
      [leadIds, reason],
    );
  }

  /** Appends the scan's lead events in one statement. */
  insertEvents(events: NewLeadEvent[]): Promise<void> {
    return new LeadEventRepository(this.db).insert(events);
  }

  /**
   * One execution per (lead, version, step); a skipped one is armed again, others are left alone.
   * The leads are then due for nothing until their execution has run.
   */
  async createExecutions(leads: Array<DueLead & { at: Date }>): Promise<ScheduledExecution[]> {
    const rows: ScheduledExecution[] = await this.db.query(
      `INSERT INTO step_execution (workspace_id, campaign_id, lead_id, account_id, sequence_version, step_index, kind, scheduled_for)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::int[], $7::step_kind[], $8::timestamptz[])
       ON CONFLICT (lead_id, sequence_version, step_index) DO UPDATE
         SET state = 'scheduled', scheduled_for = EXCLUDED.scheduled_for, account_id = EXCLUDED.account_id, updated_at = now()
         WHERE step_execution.state IN ('scheduled', 'skipped')
       RETURNING id, scheduled_for`,
      [
        leads.map((l) => l.workspace_id),
        leads.map((l) => l.campaign_id),
        leads.map((l) => l.id),
        leads.map((l) => l.account_id),
        leads.map((l) => l.version),
        leads.map((l) => l.step_index),
        leads.map((l) => l.kind),
        leads.map((l) => l.at.toISOString()),
      ],
    );
    await this.db.query(`UPDATE lead SET next_action_at = NULL, waiting_reason = 'SCHEDULED' WHERE id = ANY($1::uuid[])`, [leads.map((l) => l.id)]);
    return rows;
  }
}
