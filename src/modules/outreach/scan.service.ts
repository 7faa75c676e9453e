import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import { type ActionKind, currentOrNextWindow, type LinkedInAccount, localDay, type Window } from '../accounts';
import { EventSource, LeadEventType, LeadStatus, type NewLeadEvent, statusChangedEvent } from '../leads';
import type { EngineSettings, ExecutionScheduler } from './engine-settings';
import { inLanes } from './lanes';
import {
  type ScanMemo,
  closeMemo,
  deferralWork,
  mustSelectDue,
  newScanMemo,
  rememberDeferral,
  scanWouldBeIdle,
  validMemo,
} from './scan-memo';
import type { Deferred, DueLead, ReasonChangedLead, ScanRepository, ScheduledExecution } from './scan.repository';
import { ACTION_KINDS, type Pacing, accountHold, capReasons, nextSlotAt, paceDueLeads, roomToday, waitingReason } from './scan-rules';
import type { AccountScanState } from './scan-state';

export type AccountScan = { accountId: string; scheduled: number; deferred: number; exited: number; nextSlotAt: Date | null; reason?: string };

type Outcome = Pick<AccountScan, 'deferred' | 'nextSlotAt' | 'reason'> & { scheduled?: number };

/** One account's scan under way: what it read, what it did so far, and the memo it leaves. */
type Scan = {
  scans: ScanRepository;
  account: LinkedInAccount;
  now: Date;
  window: Window;
  day: string;
  state: AccountScanState;
  previous: ScanMemo | undefined;
  /** With a memo and no lead due since, the due set is the one the last scan sorted out. */
  unchanged: boolean;
  exited: number;
  memo: ScanMemo;
  scheduled: ScheduledExecution[];
};

/**
 * Decides what each sender account does next. Per account, inside its working window and under
 * its caps, the leads whose next step is due (indexed next_action_at, bounded batches: the cost
 * follows the due work, not the number of leads) become step executions spread over the rest of
 * the window. Everything that must wait gets a reason code, recorded once per change. The rules
 * are scan-rules.ts (hold, room, pacing, next slot) and scan-memo.ts (what a repeat scan skips).
 */
export class ScanService {
  /** Per account, what this process's last scan of it did (scan-memo.ts). */
  private readonly memos = new Map<string, ScanMemo>();

  constructor(
    private readonly db: TransactionRunner,
    private readonly scans: ScanRepository,
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
    const accounts = await this.scans.accounts();
    const idle = new Map<string, ScanMemo>();
    for (const account of accounts) {
      const memo = validMemo(this.memos.get(account.id), account, now);
      if (memo?.idle) idle.set(account.id, memo);
    }
    const fresh = idle.size === 0 ? new Set<string>() : await this.scans.freshDue(idle, now);
    const toScan = accounts.filter((a) => !scanWouldBeIdle(idle.get(a.id), fresh.has(a.id), now));
    const results: AccountScan[] = [];
    await inLanes(toScan, (a) => a.id, this.settings.scanConcurrency ?? 1, async ({ id }) => {
      const result = await this.scanAccount(id);
      if (result) results.push(result);
    });
    return results;
  }

  /** Drops the account's memo, or every memo: the next scan looks at it (each account) afresh (new leads, an activation, an acceptance). */
  forget(accountId?: string): void {
    if (accountId) this.memos.delete(accountId);
    else this.memos.clear();
  }

  /** Scans one account; undefined when another worker is scanning it right now. */
  async scanAccount(accountId: string): Promise<AccountScan | undefined> {
    let scan: Scan | undefined;
    // The last scan's memo guides this one; it is dropped meanwhile, so a scan that fails leaves none.
    const memo = this.memos.get(accountId);
    this.memos.delete(accountId);
    const result = await this.db.transaction(async (em) => {
      const scans = this.scans.withManager(em);
      const account = await scans.lockAccount(accountId);
      if (!account) return undefined;
      scan = await this.begin(scans, account, memo);
      const outcome = await this.plan(scan);
      if (outcome.nextSlotAt?.getTime() !== account.nextSlotAt?.getTime()) await scans.setNextSlot(account.id, outcome.nextSlotAt);
      return outcome;
    });
    if (scan) this.memos.set(accountId, scan.memo);
    for (const row of scan?.scheduled ?? []) await this.scheduler.scheduleExecution(row.id, row.scheduled_for);
    return result;
  }

  /** Reads the account's situation in one round trip (most scans find nothing due), and lets overdue invitations go. */
  private async begin(scans: ScanRepository, account: LinkedInAccount, lastMemo: ScanMemo | undefined): Promise<Scan> {
    const now = this.clock.now();
    const window = currentOrNextWindow(account, now);
    const day = localDay(account.timezone, now);
    const previous = validMemo(lastMemo, account, now);
    const state = await scans.state(account.id, now, day, window.start, previous ? new Date(previous.at) : null);
    const exited = state.dueUnaccepted ? await this.exitUnaccepted(scans, account.id, now) : 0;
    const memo = newScanMemo(account, now, exited < this.settings.scanBatch);
    return { scans, account, now, window, day, state, previous, unchanged: previous !== undefined && !state.freshDue, exited, memo, scheduled: [] };
  }

  /** An account on hold defers every due lead; one that may send schedules what its caps and window allow. */
  private async plan(scan: Scan): Promise<AccountScan> {
    const hold = accountHold(scan.account, scan.window, scan.now);
    const outcome: Outcome = hold
      ? { deferred: await this.deferEveryDue(scan, hold.reason), nextSlotAt: hold.nextSlotAt, reason: hold.reason }
      : await this.schedule(scan);
    closeMemo(scan.memo, outcome, this.settings.scanBatch);
    return { accountId: scan.account.id, scheduled: 0, exited: scan.exited, ...outcome };
  }

  /** Per kind: no room today defers every due lead of it; else its due leads are paced into the window, the rest wait. */
  private async schedule(scan: Scan): Promise<Outcome> {
    const { scans, account, now, window, day, state } = scan;
    const batch = this.settings.scanBatch;
    const room = roomToday(account, day, state);
    const capReason = capReasons(account, day, state);
    const pacing: Pacing = { minGapMs: this.settings.minGapMs, jitterMs: this.settings.jitterMs, random: this.random };
    let last = state.lastScheduledAt?.getTime();
    const toSchedule: Array<DueLead & { at: Date }> = [];
    let deferred = 0;
    for (const kind of ACTION_KINDS) {
      if (room[kind] <= 0) {
        deferred += await this.deferEveryDueOfKind(scan, kind, capReason[kind]);
        continue;
      }
      const limit = Math.min(room[kind], batch);
      const due = mustSelectDue(scan.previous, scan.unchanged, state.due, kind) ? await scans.dueLeads(account.id, now, kind, limit) : [];
      const paced = paceDueLeads(due, room[kind], last, window.end, now, pacing);
      room[kind] = paced.room;
      last = paced.last;
      toSchedule.push(...paced.scheduled);
      scan.memo.exhausted[kind] = due.length < limit && paced.waiting.length === 0;
      scan.memo.idle &&= paced.waiting.length === 0;
      deferred += await this.markDeferred(scans, paced.waiting, waitingReason(paced, capReason[kind]), now);
    }
    scan.scheduled = await this.createExecutions(scans, toSchedule);
    return { scheduled: toSchedule.length, deferred, nextSlotAt: nextSlotAt(account, window, room.invite + room.message, last, now, this.settings.minGapMs) };
  }

  /** Every due lead of the account (bounded) waits for `reason`. */
  private deferEveryDue(scan: Scan, reason: string): Promise<number> {
    const { scans, account, now } = scan;
    return this.deferAll(scan, 'all', reason, (since) => scans.deferDue(account.id, now, this.settings.scanBatch, reason, since));
  }

  /** Every due lead whose next step is of this kind (bounded) waits for `reason`: one statement. */
  private deferEveryDueOfKind(scan: Scan, kind: ActionKind, reason: string): Promise<number> {
    const { scans, account, now } = scan;
    return this.deferAll(scan, kind, reason, (since) => scans.deferDueOfKind(account.id, now, kind, this.settings.scanBatch, reason, since));
  }

  /**
   * Gives every due lead (of a kind) the reason, unless the last scan did and nothing is new; when
   * it did and some leads became due since, only those (scan-memo.ts deferralWork). Answers how
   * many leads wait for it.
   */
  private async deferAll(scan: Scan, key: ActionKind | 'all', reason: string, select: (since: Date | null) => Promise<Deferred>): Promise<number> {
    const work = deferralWork(scan.previous, key, reason, scan.unchanged, scan.state.due);
    let count = work.carried;
    if (work.select) {
      const { selected, changed } = await select(work.since);
      await scan.scans.insertEvents(changed.map((l) => deferredEvent(l, reason, scan.now)));
      count += selected;
    }
    rememberDeferral(scan.memo, key, reason, count, this.settings.scanBatch);
    return count;
  }

  /** Leads whose invite was not accepted before their MESSAGE step's deadline leave the sequence. */
  private async exitUnaccepted(scans: ScanRepository, accountId: string, now: Date): Promise<number> {
    const rows = await scans.exitUnaccepted(accountId, now, this.settings.scanBatch);
    await scans.insertEvents(
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

  /** Sets the waiting reason; a step_deferred event is written only when the reason changes (meaningfully: SLOT_REASONS). */
  private async markDeferred(scans: ScanRepository, leads: DueLead[], reason: string, now: Date): Promise<number> {
    if (leads.length === 0) return 0;
    const changed = await scans.markDeferred(leads.map((l) => l.id), reason);
    await scans.insertEvents(changed.map((l) => deferredEvent(l, reason, now)));
    return leads.length;
  }

  private async createExecutions(scans: ScanRepository, leads: Array<DueLead & { at: Date }>): Promise<ScheduledExecution[]> {
    return leads.length === 0 ? [] : scans.createExecutions(leads);
  }
}

function deferredEvent(l: ReasonChangedLead, reason: string, now: Date): NewLeadEvent {
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
