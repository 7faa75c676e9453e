import { type ActionKind, currentOrNextWindow, type LinkedInAccount, localDay, type Window } from '../../accounts';
import { DEFAULT_ACCEPT_TIMEOUT_DAYS, type SequenceStep, StepKind } from '../../campaigns';
import { isActiveLeadStatus, type Lead, LeadEventType, LeadStatus } from '../../leads';
import type { EventQueue } from '../../../core/time/event-queue';
import { addDays } from '../../../core/time/days';
import type { LedgerRow } from '../rate-ledger';
import { kindOf } from '../step-attempt';

// The state of a dry run (dry-run.ts): leads, sender accounts, step executions and the rate
// ledger, held in memory, with the writes the engine's statements make (the SQL they mirror is
// named on each). One campaign, one thread: no locks, no transactions.

const DAY_MS = 86_400_000;

export type DryExecution = {
  lead: Lead;
  account: DryAccount;
  stepIndex: number;
  kind: StepKind;
  scheduledFor: Date;
  state: 'scheduled' | 'sent' | 'skipped' | 'failed';
  /** Its entry in the run's send queue (cancelled when the execution is skipped before its time). */
  queued: number;
};

export type DryAccount = {
  row: LinkedInAccount;
  /** The sender's account in the in-process LinkedIn. */
  remoteId: string;
  /** Its leads with a due time (next_action_at set): what a scan looks at. */
  waiting: Set<Lead>;
  /**
   * In creation order, which is time order: each scan paces its executions after the latest one
   * scheduled, so the scan's pacing anchor is found from the end.
   */
  executions: DryExecution[];
  /** Executions scheduled and not yet run, per kind (the scan's queue count). */
  pending: Record<ActionKind, number>;
  nextSlotAt: Date | null;
  /** The working window now or next, kept until it ends (computing one costs a time-zone conversion). */
  window?: Window & { day: string };
};

export type DryEvent = { seq: number; at: Date; lead: Lead; type: LeadEventType; stepIndex: number | null; reason: string | null };

export class DryRunState {
  readonly events: DryEvent[] = [];
  /** Every lead of the campaign, in the order they were copied in. */
  readonly leads: Lead[] = [];
  /** Leads by their sender's LinkedIn account and member id: who an acceptance or a reply is from. */
  private readonly byMember = new Map<string, Lead>();
  /** Used slots per account, local day and kind (rate_ledger). */
  private readonly ledger = new Map<string, number>();
  private readonly leadDue = new Map<string, number>();
  private readonly weeks = new Map<string, string[]>();
  private readonly byId: Map<string, DryAccount>;

  constructor(
    readonly accounts: DryAccount[],
    /** The campaign's sequence, by step index. */
    private readonly steps: Map<number, SequenceStep>,
    /** Leads' future due times (lead.next_action_at), to find the next one without a pass over every lead. */
    private readonly dueTimes: EventQueue,
  ) {
    this.byId = new Map(accounts.map((a) => [a.row.id, a]));
  }

  accountOf(lead: Lead): DryAccount {
    return this.byId.get(lead.accountId!)!;
  }

  addLead(lead: Lead): void {
    this.leads.push(lead);
    this.byMember.set(`${this.accountOf(lead).remoteId}/${lead.providerId}`, lead);
    this.reschedule(lead);
  }

  /** The lead a LinkedIn account's member is, if any. */
  leadOf(remoteAccountId: string, providerId: string): Lead | undefined {
    return this.byMember.get(`${remoteAccountId}/${providerId}`);
  }

  step(index: number): SequenceStep | undefined {
    return this.steps.get(index);
  }

  record(lead: Lead, type: LeadEventType, at: Date, stepIndex: number | null, reason: string | null = null): void {
    this.events.push({ seq: this.events.length, at, lead, type, stepIndex, reason });
  }

  statusChanged(lead: Lead, to: LeadStatus, reason: string, at: Date): void {
    lead.status = to;
    this.record(lead, LeadEventType.STATUS_CHANGED, at, null, reason);
  }

  /** next_action_at (and the waiting reason): the one place both change, so the due-time queue follows. */
  setDue(lead: Lead, at: Date | null, reason: string | null): void {
    lead.nextActionAt = at;
    lead.waitingReason = reason;
    if (at) this.accountOf(lead).waiting.add(lead);
    else this.accountOf(lead).waiting.delete(lead);
    const queued = this.leadDue.get(lead.id);
    if (queued !== undefined) this.dueTimes.cancel(queued);
    if (at) this.leadDue.set(lead.id, this.dueTimes.at(at, 'lead due', () => undefined));
    else this.leadDue.delete(lead.id);
  }

  /** When the lead's next step is due, from the sequence (LeadRepository.reschedule's statement). */
  reschedule(lead: Lead): void {
    if (!isActiveLeadStatus(lead.status)) return;
    const step = this.steps.get(lead.nextStepIndex);
    if (!step) return this.setDue(lead, null, 'NO_NEXT_STEP');
    if (step.kind === StepKind.MESSAGE && lead.status === LeadStatus.INVITE_SENT) {
      const invited = lead.inviteSentAt ?? lead.lastStepSentAt ?? lead.createdAt;
      return this.setDue(lead, new Date(invited.getTime() + (step.acceptTimeoutDays ?? DEFAULT_ACCEPT_TIMEOUT_DAYS) * DAY_MS), 'WAITING_FOR_ACCEPT');
    }
    this.setDue(lead, new Date((lead.lastStepSentAt ?? lead.createdAt).getTime() + step.delayMinutes * 60_000), 'WAITING_FOR_DELAY');
  }

  /** The working window at `now` or next, with its local day (one computation per window). */
  windowOf(account: DryAccount, now: Date): Window & { day: string } {
    if (!account.window || now >= account.window.end) {
      const window = currentOrNextWindow(account.row, now);
      account.window = { ...window, day: localDay(account.row.timezone, window.start) };
    }
    return account.window;
  }

  used(account: DryAccount, day: string, kind: ActionKind): number {
    return this.ledger.get(`${account.row.id}/${day}/${kind}`) ?? 0;
  }

  /** Invites used in the 7 local days ending with `day`. */
  invitesThisWeek(account: DryAccount, day: string): number {
    let n = 0;
    for (const d of this.weekEndingWith(day)) n += this.used(account, d, 'invite');
    return n;
  }

  /** The ledger rows a reservation on `day` reads (RateLedgerRepository.reserveSlots: the account's last 7 days). */
  ledgerRows(account: DryAccount, day: string): LedgerRow[] {
    const rows: LedgerRow[] = [];
    for (const d of this.weekEndingWith(day)) {
      for (const kind of ['invite', 'message'] as const) {
        const used = this.used(account, d, kind);
        if (used > 0) rows.push({ accountId: account.row.id, day: d, kind, used });
      }
    }
    return rows;
  }

  /** The 7 local days ending with `day` (kept: day arithmetic parses dates, and every scan asks). */
  private weekEndingWith(day: string): string[] {
    let week = this.weeks.get(day);
    if (!week) this.weeks.set(day, (week = [-6, -5, -4, -3, -2, -1, 0].map((d) => addDays(day, d))));
    return week;
  }

  addUsed(account: DryAccount, day: string, kind: ActionKind, n: number): void {
    const key = `${account.row.id}/${day}/${kind}`;
    this.ledger.set(key, (this.ledger.get(key) ?? 0) + n);
  }

  queue(execution: DryExecution): void {
    execution.account.executions.push(execution);
    execution.account.pending[kindOf(execution)] += 1;
  }

  /** An execution leaves `scheduled` (it ran, or was taken off the queue). */
  settle(execution: DryExecution, state: Exclude<DryExecution['state'], 'scheduled'>): void {
    if (execution.state === 'scheduled') execution.account.pending[kindOf(execution)] -= 1;
    execution.state = state;
  }

  /** The latest action scheduled or done since the window opened: the scan paces from it. */
  lastScheduledAt(account: DryAccount, windowStart: Date): number | undefined {
    for (let i = account.executions.length - 1; i >= 0; i--) {
      const e = account.executions[i];
      if (e.scheduledFor.getTime() < windowStart.getTime()) return undefined;
      if (e.state === 'scheduled' || e.state === 'sent') return e.scheduledFor.getTime();
    }
    return undefined;
  }
}
