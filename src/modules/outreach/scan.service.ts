import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import { updateReturning } from '../../core/db/update-returning';
import { AccountStatus, LinkedInAccount } from '../accounts/linkedin-account.entity';
import { EventSource, LeadEventType } from '../leads/lead-event-type';
import { type NewLeadEvent, insertLeadEvents, statusChangedEvent } from '../leads/lead-events';
import { LeadStatus } from '../leads/lead-status';
import { type ActionKind, dailyCap, isRamping } from './caps';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { inLanes } from './lanes';
import { type ScanMemo, memoValidUntil, scanContext, scanWouldBeIdle, validMemo } from './scan-memo';
import { accountScanState } from './scan-state';
import { currentOrNextWindow, localDay } from './working-window';

type DueLead = {
  id: string;
  workspace_id: string;
  campaign_id: string;
  account_id: string;
  status: LeadStatus;
  step_index: number;
  version: number;
  kind: 'INVITE' | 'MESSAGE';
};

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
  FOR UPDATE OF l SKIP LOCKED`;

/**
 * Reasons that mean "waiting for a free slot" (a cap, the ramp, a full window). Outside working
 * hours a lead carrying one keeps it: no slot comes before the next window anyway, so the night is
 * not a change worth a timeline event (nor a row update), and neither is the next morning's
 * return to the same reason. Without this, every waiting lead of every sender changed its reason
 * twice a working day.
 */
export const SLOT_REASONS = ['DAILY_CAP_REACHED', 'WEEKLY_CAP_REACHED', 'RAMP_LIMIT', 'WINDOW_FULL'];

/** SQL: the lead `alias` would change meaningfully by getting reason `param` (see SLOT_REASONS). */
const reasonChanges = (alias: string, param: string) =>
  `${alias}.waiting_reason IS DISTINCT FROM ${param}
   AND NOT (${param} = 'OUTSIDE_WORKING_HOURS' AND ${alias}.waiting_reason IN (${SLOT_REASONS.map((r) => `'${r}'`).join(', ')}))`;

export type AccountScan = { accountId: string; scheduled: number; deferred: number; exited: number; nextSlotAt: Date | null; reason?: string };

/**
 * Decides what each sender account does next. Per account, inside its working window and under
 * its caps, the leads whose next step is due (indexed next_action_at, bounded batches: the cost
 * follows the due work, not the number of leads) become step executions spread over the rest of
 * the window. Everything that must wait gets a reason code, recorded once per change.
 */
export class ScanService {
  /** Per account, what this process's last scan of it did (scan-memo.ts). */
  private readonly memos = new Map<string, ScanMemo>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly scheduler: ExecutionScheduler,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Scans the accounts where something can happen. Left out, by one set-based query over the
   * memos: those whose last scan here was idle, in an unchanged situation, with no lead due since
   * and their next slot not reached (a scan of them would write nothing).
   */
  async scanAll(): Promise<AccountScan[]> {
    const now = this.clock.now();
    const accounts = await this.dataSource.getRepository(LinkedInAccount).find({ order: { id: 'ASC' } });
    const idle = new Map<string, ScanMemo>();
    for (const account of accounts) {
      const memo = validMemo(this.memos.get(account.id), account, now);
      if (memo?.idle) idle.set(account.id, memo);
    }
    const fresh = await this.freshDue(idle, now);
    const toScan = accounts.filter((a) => !scanWouldBeIdle(idle.get(a.id), fresh.has(a.id), now));
    const results: AccountScan[] = [];
    await inLanes(toScan, (a) => a.id, this.settings.scanConcurrency ?? 1, async ({ id }) => {
      const result = await this.scanAccount(id);
      if (result) results.push(result);
    });
    return results;
  }

  /** Drops every memo: the next scan looks at each account afresh (new leads, an activation). */
  forget(): void {
    this.memos.clear();
  }

  /** Scans one account; undefined when another worker is scanning it right now. */
  async scanAccount(accountId: string): Promise<AccountScan | undefined> {
    const scheduled: Array<{ id: string; scheduled_for: Date }> = [];
    let memo: ScanMemo | undefined;
    this.memos.delete(accountId);
    const result = await this.dataSource.transaction(async (em) => {
      const account = await em.findOne(LinkedInAccount, {
        where: { id: accountId },
        lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
      });
      if (!account) return undefined;
      const planned = await this.plan(em, account, scheduled);
      memo = planned.memo;
      const scan = planned.scan;
      if (scan.nextSlotAt?.getTime() !== account.nextSlotAt?.getTime()) {
        await em.query(`UPDATE linkedin_account SET next_slot_at = $2 WHERE id = $1`, [account.id, scan.nextSlotAt]);
      }
      return scan;
    });
    if (memo) this.memos.set(accountId, memo);
    for (const row of scheduled) await this.scheduler.scheduleExecution(row.id, row.scheduled_for);
    return result;
  }

  /** Which of these accounts got a lead due since their memo. */
  private async freshDue(memos: Map<string, ScanMemo>, now: Date): Promise<Set<string>> {
    if (memos.size === 0) return new Set();
    const rows: Array<{ account_id: string }> = await this.dataSource.query(
      `SELECT m.account_id FROM unnest($1::uuid[], $2::timestamptz[]) AS m(account_id, at)
       WHERE EXISTS (SELECT 1 FROM lead l WHERE l.account_id = m.account_id AND l.next_action_at IS NOT NULL
                       AND l.next_action_at <= $3 AND l.next_action_at > m.at)`,
      [[...memos.keys()], [...memos.values()].map((m) => new Date(m.at).toISOString()), now],
    );
    return new Set(rows.map((r) => r.account_id));
  }

  private async plan(
    em: EntityManager,
    account: LinkedInAccount,
    scheduled: Array<{ id: string; scheduled_for: Date }>,
  ): Promise<{ scan: AccountScan; memo?: ScanMemo }> {
    const now = this.clock.now();
    const window = currentOrNextWindow(account, now);
    const day = localDay(account.timezone, now);
    const previous = validMemo(this.memos.get(account.id), account, now);
    // One read for what the steps below would each ask: most scans find nothing due.
    const state = await accountScanState(em, account.id, now, day, window.start, previous ? new Date(previous.at) : null);
    // With a memo and no lead due since, the due set is the one the last scan sorted out.
    const unchanged = previous !== undefined && !state.freshDue;
    const batch = this.settings.scanBatch;
    const exited = state.dueUnaccepted ? await this.exitUnaccepted(em, account.id, now) : 0;
    const memo: ScanMemo = {
      at: now.getTime(),
      validUntil: memoValidUntil(account, now),
      context: scanContext(account),
      reasons: {},
      deferred: {},
      exhausted: {},
      idle: exited < batch,
      nextSlotAt: null,
    };
    const base = { accountId: account.id, scheduled: 0, deferred: 0, exited };
    const done = (scan: Omit<AccountScan, 'accountId' | 'scheduled' | 'exited'> & { scheduled?: number }) => {
      memo.nextSlotAt = scan.nextSlotAt?.getTime() ?? null;
      memo.idle &&= !scan.scheduled && scan.deferred < batch;
      return { scan: { ...base, ...scan }, memo };
    };
    // Gives every due lead (of a kind) the reason, unless the last scan did and nothing is new;
    // when it did and some leads became due since, only those (next_action_at after the memo).
    // A selection that hit the batch bound may have left some out, so it is not remembered.
    const deferAll = async (key: ActionKind | 'all', reason: string, run: (since: Date | null) => Promise<number>) => {
      const known = previous !== undefined && previous.reasons[key] === reason;
      const count = !state.due ? 0 : known && unchanged ? (previous.deferred[key] ?? 0) : known ? (previous.deferred[key] ?? 0) + (await run(new Date(previous.at))) : await run(null);
      if (count < batch) {
        memo.reasons[key] = reason;
        memo.deferred[key] = count;
      }
      return count;
    };
    const deferDue = (reason: string) => deferAll('all', reason, (since) => this.deferDue(em, account.id, now, reason, since));
    if (account.status !== AccountStatus.ACTIVE) {
      return done({ deferred: await deferDue(`ACCOUNT_${account.status}`), nextSlotAt: null, reason: `ACCOUNT_${account.status}` });
    }
    if (account.cooldownUntil && account.cooldownUntil > now) {
      return done({ deferred: await deferDue('COOLDOWN'), nextSlotAt: account.cooldownUntil, reason: 'COOLDOWN' });
    }
    if (window.start > now) {
      return done({ deferred: await deferDue('OUTSIDE_WORKING_HOURS'), nextSlotAt: window.start, reason: 'OUTSIDE_WORKING_HOURS' });
    }

    const { used, pending } = state;
    const inviteCap = dailyCap(account, 'invite', day);
    const room: Record<ActionKind, number> = {
      invite: Math.max(0, Math.min(inviteCap - used.inviteToday, account.weeklyInviteCap - used.inviteWeek) - pending.invite),
      message: Math.max(0, account.dailyMessageCap - used.messageToday - pending.message),
    };
    const capReason: Record<ActionKind, string> = {
      invite:
        account.weeklyInviteCap - used.inviteWeek - pending.invite <= 0
          ? 'WEEKLY_CAP_REACHED'
          : isRamping(account, day)
            ? 'RAMP_LIMIT'
            : 'DAILY_CAP_REACHED',
      message: 'DAILY_CAP_REACHED',
    };

    // Pacing: each new action comes at least minGap (plus jitter) after the account's last one.
    let last = state.lastScheduledAt?.getTime();
    const nextTime = () =>
      Math.max(now.getTime(), last === undefined ? now.getTime() : last + this.settings.minGapMs) +
      Math.floor(this.random() * this.settings.jitterMs);
    const toSchedule: Array<DueLead & { at: Date }> = [];
    let deferred = 0;
    for (const kind of ['invite', 'message'] as const) {
      if (room[kind] <= 0) {
        // No room today: every due lead of this kind waits for the cap, in one statement.
        deferred += await deferAll(kind, capReason[kind], (since) => this.deferDueOfKind(em, account.id, now, kind, capReason[kind], since));
        continue;
      }
      const limit = Math.min(room[kind], batch);
      const due = state.due && !(unchanged && previous.exhausted[kind]) ? await this.dueLeads(em, account.id, now, kind, limit) : [];
      const waiting: string[] = [];
      let windowFull = false;
      for (const lead of due) {
        const at = nextTime();
        if (room[kind] <= 0 || at >= window.end.getTime()) {
          windowFull ||= room[kind] > 0;
          waiting.push(lead.id);
          continue;
        }
        room[kind] -= 1;
        last = at;
        toSchedule.push({ ...lead, at: new Date(at) });
      }
      memo.exhausted[kind] = due.length < limit && waiting.length === 0;
      memo.idle &&= waiting.length === 0;
      deferred += await this.markDeferred(em, waiting, windowFull ? 'WINDOW_FULL' : capReason[kind], now);
    }
    scheduled.push(...(await this.createExecutions(em, toSchedule)));
    // With no room left today, the next slot is the next working window.
    const nextSlotAt =
      room.invite + room.message === 0
        ? currentOrNextWindow(account, window.end).start
        : last !== undefined && last > now.getTime()
          ? new Date(last + this.settings.minGapMs)
          : now;
    return done({ scheduled: toSchedule.length, deferred, nextSlotAt });
  }

  /** Due leads whose next step is of this kind; MESSAGE steps only for leads not waiting on an invite. */
  private dueLeads(em: EntityManager, accountId: string, now: Date, kind: ActionKind, limit: number): Promise<DueLead[]> {
    return em.query(DUE_LEADS_SQL, [accountId, now, kind === 'invite' ? 'INVITE' : 'MESSAGE', Math.min(limit, this.settings.scanBatch)]);
  }

  /** Leads whose invite was not accepted before their MESSAGE step's deadline leave the sequence. */
  private async exitUnaccepted(em: EntityManager, accountId: string, now: Date): Promise<number> {
    const rows = await updateReturning<{ id: string; workspace_id: string; campaign_id: string }>(
      em,
      `UPDATE lead l SET status = 'failed', status_reason = 'INVITE_NOT_ACCEPTED', next_action_at = NULL,
                         waiting_reason = NULL, updated_at = $2
       WHERE l.id IN (SELECT id FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
                        AND status = 'invite_sent' ORDER BY next_action_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING l.id, l.workspace_id, l.campaign_id`,
      [accountId, now, this.settings.scanBatch],
    );
    await insertLeadEvents(
      em,
      rows.map((r) =>
        statusChangedEvent(
          { id: r.id, workspaceId: r.workspace_id, campaignId: r.campaign_id, accountId },
          LeadStatus.INVITE_SENT,
          LeadStatus.FAILED,
          'INVITE_NOT_ACCEPTED',
          now,
          EventSource.ENGINE,
        ),
      ),
    );
    return rows.length;
  }

  /** Marks every due lead of the account (bounded; only those due after `since`, with it) as waiting for `reason`. */
  private deferDue(em: EntityManager, accountId: string, now: Date, reason: string, since: Date | null): Promise<number> {
    return this.deferSelected(
      em,
      `SELECT id FROM lead WHERE account_id = $1 AND next_action_at IS NOT NULL AND next_action_at <= $2
         AND next_action_at > coalesce($4::timestamptz, '-infinity') ORDER BY next_action_at LIMIT $3`,
      [accountId, now, this.settings.scanBatch, since],
      reason,
      now,
    );
  }

  /** Marks the due leads of one kind (the due-lead selection, bounded; after `since`, with it) as waiting for `reason`. */
  private deferDueOfKind(em: EntityManager, accountId: string, now: Date, kind: ActionKind, reason: string, since: Date | null): Promise<number> {
    const fresh = DUE_LEADS_SQL.replace('AND l.next_action_at <= $2', "AND l.next_action_at <= $2 AND l.next_action_at > coalesce($5::timestamptz, '-infinity')");
    return this.deferSelected(em, fresh, [accountId, now, kind === 'invite' ? 'INVITE' : 'MESSAGE', this.settings.scanBatch, since], reason, now);
  }

  /**
   * markDeferred over the leads a query selects, in one round trip: a scan of an account that
   * cannot act repeats this every time, and most of its leads already carry the reason.
   * Returns how many leads were selected.
   */
  private async deferSelected(em: EntityManager, selectSql: string, params: unknown[], reason: string, now: Date): Promise<number> {
    const reasonParam = `$${params.length + 1}`;
    const [row]: Array<{ selected: number; changed: Array<{ id: string; workspace_id: string; campaign_id: string; account_id: string; next_step_index: number }> }> =
      await em.query(
        `WITH selected AS (${selectSql}),
              changed AS (UPDATE lead SET waiting_reason = ${reasonParam} FROM selected
                          WHERE lead.id = selected.id AND ${reasonChanges('lead', reasonParam)}
                          RETURNING lead.id, lead.workspace_id, lead.campaign_id, lead.account_id, lead.next_step_index)
         SELECT (SELECT count(*) FROM selected)::int AS selected, (SELECT coalesce(json_agg(changed), '[]'::json) FROM changed) AS changed`,
        [...params, reason],
      );
    await insertLeadEvents(em, row.changed.map((l) => this.deferredEvent(l, reason, now)));
    return row.selected;
  }

  /** Sets the waiting reason; a step_deferred event is written only when the reason changes (meaningfully: SLOT_REASONS). */
  private async markDeferred(em: EntityManager, leadIds: string[], reason: string, now: Date): Promise<number> {
    if (leadIds.length === 0) return 0;
    const changed = await updateReturning<{ id: string; workspace_id: string; campaign_id: string; account_id: string; next_step_index: number }>(
      em,
      `UPDATE lead SET waiting_reason = $2 WHERE id = ANY($1::uuid[]) AND ${reasonChanges('lead', '$2')}
       RETURNING id, workspace_id, campaign_id, account_id, next_step_index`,
      [leadIds, reason],
    );
    await insertLeadEvents(em, changed.map((l) => this.deferredEvent(l, reason, now)));
    return leadIds.length;
  }

  private deferredEvent(
    l: { id: string; workspace_id: string; campaign_id: string; account_id: string; next_step_index: number },
    reason: string,
    now: Date,
  ): NewLeadEvent {
    return {
      workspaceId: l.workspace_id,
      campaignId: l.campaign_id,
      leadId: l.id,
      linkedinAccountId: l.account_id,
      type: LeadEventType.STEP_DEFERRED,
      stepIndex: l.next_step_index,
      occurredAt: now,
      source: EventSource.ENGINE,
      reason,
    };
  }

  /** One execution per (lead, version, step); a skipped one is armed again, others are left alone. */
  private async createExecutions(em: EntityManager, leads: Array<DueLead & { at: Date }>): Promise<Array<{ id: string; scheduled_for: Date }>> {
    if (leads.length === 0) return [];
    const rows: Array<{ id: string; scheduled_for: Date }> = await em.query(
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
    // Nothing is due for these leads until their execution has run.
    await em.query(`UPDATE lead SET next_action_at = NULL, waiting_reason = 'SCHEDULED' WHERE id = ANY($1::uuid[])`, [
      leads.map((l) => l.id),
    ]);
    return rows;
  }
}
