import { type Clock, VirtualClock } from '../../../core/clock';
import { seededRandom } from '../../../core/random';
import { EventQueue } from '../../../core/time/event-queue';
import type { ActionKind } from '../../accounts';
import { type Campaign, CampaignStatus } from '../../campaigns';
import { type Lead, LeadEventType, LeadStatus } from '../../leads';
import { createSandboxWorld, type SandboxMessage, type SandboxOptions, type SandboxRelation, type SandboxWorld } from '../../unipile';
import type { EngineSettings } from '../engine-settings';
import { grantSlots } from '../rate-ledger';
import { ACTION_KINDS, accountHold, capReasons, nextSlotAt, paceDueLeads, type Pacing, roomToday, SLOT_REASONS, waitingReason } from '../scan-rules';
import { kindOf } from '../step-attempt';
import { type Decision, decideStep, slotRefused } from '../step-decision';
import { ExecutionState, type StepExecution } from '../step-execution.entity';
import { DryRunOutcomes } from './dry-run-outcomes';
import { DryRunSender } from './dry-run-sender';
import type { DryAccount, DryExecution, DryRunState } from './dry-run-state';
import { copyCampaign, summarize } from './dry-run-world';
import type { SimulationInput, SimulationOutput } from './dry-run.types';

const SCAN_EVERY_MS = 15 * 60_000;

/**
 * A dry run in memory: the campaign's leads go through the engine's own rules (scan-rules.ts for
 * what each scan schedules and defers, step-decision.ts and rate-ledger.ts for each send) on a
 * virtual clock, against the sandbox's LinkedIn in-process (who accepts and replies, and when).
 * What the engine's statements write is written here to plain objects (dry-run-state.ts), in the
 * order the engine's simulation runner takes them: test/outreach/dry-run.int-spec.ts runs both on
 * the same campaign and compares their timelines. Synchronous: no database, no HTTP, no awaits.
 */
export function runDryRun(input: SimulationInput): SimulationOutput {
  return new DryRun(input).run();
}

/**
 * The LinkedIn of a dry run: empty until the campaign is copied in, the run's seed and odds, and
 * LinkedIn's own limits out of the way (the senders' caps are what a dry run shows).
 */
export function dryRunLinkedIn(input: SimulationInput, clock: Clock): SandboxOptions {
  return {
    clock,
    seed: input.seed,
    accounts: 0,
    profiles: 0,
    acceptance: { probability: input.odds.acceptProbability },
    reply: { probability: input.odds.replyProbability },
    limits: { invitesPerDay: 1_000, invitesPerWeek: 5_000, profileViewsPerDay: 100_000 },
  };
}

class DryRun {
  private readonly clock: VirtualClock;
  private readonly world: SandboxWorld;
  private readonly state: DryRunState;
  private readonly outcomes: DryRunOutcomes;
  private readonly sender: DryRunSender;
  /** Queued sends, each at its instant. */
  private readonly sends: EventQueue;
  /** Leads' future due times (lead.next_action_at): when a quiet run must scan next. */
  private readonly dueTimes: EventQueue;
  private readonly campaign: Campaign;
  private readonly settings: EngineSettings;
  private readonly pacing: Pacing;
  private failure: unknown;
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private nextScanAt: number;
  private seenRelations = 0;
  private seenMessages = 0;

  constructor(private readonly input: SimulationInput) {
    this.clock = new VirtualClock(input.start);
    this.world = createSandboxWorld(dryRunLinkedIn(input, this.clock));
    const fail = (error: unknown) => {
      this.failure ??= error;
    };
    this.sends = new EventQueue(this.clock, fail);
    this.dueTimes = new EventQueue(this.clock, fail);
    this.settings = input.settings;
    this.pacing = { minGapMs: this.settings.minGapMs, jitterMs: this.settings.jitterMs, random: seededRandom(Number.parseInt(input.seed.slice(0, 8), 16)) };
    this.campaign = { id: 'dry-run', status: CampaignStatus.ACTIVE, ...input.campaign } as Campaign;
    this.nextScanAt = input.start.getTime();
    this.state = copyCampaign(input, this.campaign.id, this.world, this.dueTimes);
    this.outcomes = new DryRunOutcomes(this.state, this.settings, this.sends);
    this.sender = new DryRunSender(this.world);
  }

  run(): SimulationOutput {
    const until = this.input.start.getTime() + this.input.days * 86_400_000;
    for (;;) {
      this.step();
      if (this.failure) throw this.failure;
      const now = this.clock.now().getTime();
      if (now >= until) break;
      const next = Math.min(until, this.nextScanAt, this.nextAt(this.sends), this.nextAt(this.world.scheduler));
      this.world.scheduler.advance(Math.max(next - now, 1));
    }
    return summarize(this.input, this.state, this.clock.now());
  }

  // ── the runner's loop (SimulationRunner.step) ─────────────────────────────

  /** Everything at the current instant: what LinkedIn did, the scan when due, the sends due; then when to scan next. */
  private step(): void {
    const now = this.clock.now();
    let changed = this.detect();
    if (now.getTime() >= this.nextScanAt) {
      for (const account of this.state.accounts) this.scan(account, now);
      this.lastScanAt = now.getTime();
      changed = true;
    }
    const sent = this.sends.runDue() > 0;
    changed = this.detect() || changed || sent;
    if (changed) this.nextScanAt = this.nextUsefulScan(now);
  }

  /** Every scanEveryMs while an account can act; otherwise at the first moment anything can change (SimulationRunner.nextUsefulScan). */
  private nextUsefulScan(now: Date): number {
    const regular = Math.max(this.lastScanAt + SCAN_EVERY_MS, now.getTime());
    if (this.state.accounts.some((a) => a.nextSlotAt && a.nextSlotAt <= now)) return regular;
    let next = Math.min(...this.state.accounts.map((a) => (a.nextSlotAt && a.nextSlotAt > now ? a.nextSlotAt.getTime() : Number.POSITIVE_INFINITY)));
    this.dueTimes.runDue(); // drops due times already reached: the next one is in the future
    next = Math.min(next, this.nextAt(this.dueTimes));
    return Number.isFinite(next) ? Math.max(regular, next) : Number.POSITIVE_INFINITY;
  }

  private nextAt(queue: EventQueue): number {
    return queue.nextDueAt()?.getTime() ?? Number.POSITIVE_INFINITY;
  }

  // ── LinkedIn's news (LeadProgressService.markConnected, markReplied) ────────

  private detect(): boolean {
    const { relations, messages } = this.world.store;
    const found = relations.length + messages.length > this.seenRelations + this.seenMessages;
    const facts: Array<SandboxRelation | SandboxMessage> = [...relations.slice(this.seenRelations), ...messages.slice(this.seenMessages).filter((m) => !m.isSender)];
    this.seenRelations = relations.length;
    this.seenMessages = messages.length;
    facts.sort((a, b) => factAt(a) - factAt(b));
    for (const fact of facts) {
      if ('connectionId' in fact) this.outcomes.connected(fact, this.clock.now());
      else this.outcomes.replied(fact, this.clock.now());
    }
    return found;
  }

  // ── the scan (ScanService, one account) ─────────────────────────────────────

  private scan(account: DryAccount, now: Date): void {
    const batch = this.settings.scanBatch;
    const nowMs = now.getTime();
    // The due set in the due-lead index's order: by due time (ties in the order they became due: a stable sort).
    const due: Lead[] = [];
    for (const lead of account.waiting) if (lead.nextActionAt!.getTime() <= nowMs) due.push(lead);
    due.sort(byDue);
    // Invited leads past their acceptance deadline leave the sequence.
    const unaccepted = due.filter((l) => l.status === LeadStatus.INVITE_SENT).slice(0, batch);
    for (const lead of unaccepted) this.outcomes.exitUnaccepted(lead, now);
    const stillDue = due.filter((l) => l.nextActionAt !== null);
    const window = this.state.windowOf(account, now);
    const hold = accountHold(account.row, window, now);
    if (hold) {
      this.defer(stillDue.slice(0, batch), hold.reason, now);
      account.nextSlotAt = hold.nextSlotAt;
      return;
    }
    const day = window.day;
    const counts = {
      used: {
        inviteToday: this.state.used(account, day, 'invite'),
        messageToday: this.state.used(account, day, 'message'),
        inviteWeek: this.state.invitesThisWeek(account, day),
      },
      pending: account.pending,
    };
    const room = roomToday(account.row, day, counts);
    const capReason = capReasons(account.row, day, counts);
    let last = this.state.lastScheduledAt(account, window.start);
    const dueOfKind = this.byKind(stillDue);
    for (const kind of ACTION_KINDS) {
      const ofKind = dueOfKind[kind];
      if (room[kind] <= 0) {
        this.defer(ofKind.slice(0, batch), capReason[kind], now);
        continue;
      }
      const selected = ofKind.slice(0, Math.min(room[kind], batch)).map((lead) => ({ lead }));
      const paced = paceDueLeads(selected, room[kind], last, window.end, now, this.pacing);
      room[kind] = paced.room;
      last = paced.last;
      for (const { lead, at } of paced.scheduled) this.schedule(account, lead, at);
      this.defer(paced.waiting.map((w) => w.lead), waitingReason(paced, capReason[kind]), now);
    }
    account.nextSlotAt = nextSlotAt(account.row, window, room.invite + room.message, last, now, this.settings.minGapMs);
  }

  /** The due-lead selection per kind: leads whose next step is of that kind, invited ones only once accepted. */
  private byKind(due: Lead[]): Record<ActionKind, Lead[]> {
    const leads: Record<ActionKind, Lead[]> = { invite: [], message: [] };
    for (const lead of due) {
      if (lead.status === LeadStatus.INVITE_SENT) continue;
      leads[kindOf(this.state.step(lead.nextStepIndex)!)].push(lead);
    }
    return leads;
  }

  /** The waiting reason for leads that wait; a step_deferred event when it changes meaningfully (SLOT_REASONS). */
  private defer(leads: Lead[], reason: string, now: Date): void {
    for (const lead of leads) {
      const keeps = lead.waitingReason === reason || (reason === 'OUTSIDE_WORKING_HOURS' && SLOT_REASONS.includes(lead.waitingReason ?? ''));
      if (keeps) continue;
      lead.waitingReason = reason;
      this.state.record(lead, LeadEventType.STEP_DEFERRED, now, lead.nextStepIndex, reason);
    }
  }

  private schedule(account: DryAccount, lead: Lead, at: Date): void {
    const step = this.state.step(lead.nextStepIndex)!;
    const execution: DryExecution = { lead, account, stepIndex: lead.nextStepIndex, kind: step.kind, scheduledFor: at, state: 'scheduled', queued: 0 };
    execution.queued = this.sends.at(at, 'send', () => this.execute(execution));
    this.state.queue(execution);
    this.state.setDue(lead, null, 'SCHEDULED');
  }

  // ── a send (ExecuteStepService, StepOutcomes) ───────────────────────────────

  private execute(execution: DryExecution): void {
    const { lead, account } = execution;
    const now = this.clock.now();
    const step = this.state.step(execution.stepIndex)!;
    const facts = {
      execution: asExecution(execution, this.campaign.sequenceVersion),
      lead,
      account: account.row,
      step,
      campaign: this.campaign,
      gate: undefined,
      now,
      leaseMs: this.settings.leaseMs,
    };
    let decision: Decision = decideStep(facts);
    if (decision.kind === 'send') {
      const { refusals, grants } = grantSlots([{ account: account.row, kind: decision.slot, day: decision.day }], this.state.ledgerRows(account, decision.day));
      if (refusals[0]) decision = slotRefused(refusals[0], lead, now);
      for (const g of grants) this.state.addUsed(account, g.day, g.kind, g.n);
    }
    switch (decision.kind) {
      case 'skip':
        return this.outcomes.skip(execution, decision.reason, decision.lead, decision.due, now);
      case 'fail':
        return this.outcomes.failLead(execution, decision.reason, now);
      case 'send':
        return this.outcomes.sent(execution, step, decision.day, this.sender.send(execution, step, decision.text), now);
      default:
        // 'done', 'hold', 'resume', 'exclude' need an earlier attempt, a crash or a do-not-contact list: a dry run has none.
        throw new Error(`A dry run cannot reach the decision ${decision.kind}`);
    }
  }
}

const byDue = (a: Lead, b: Lead) => a.nextActionAt!.getTime() - b.nextActionAt!.getTime();

const factAt = (fact: SandboxRelation | SandboxMessage): number => ('connectionId' in fact ? fact.createdAt : fact.sentAt).getTime();

/** The execution as the step rules read it: a fresh one, scheduled. */
function asExecution(e: DryExecution, sequenceVersion: number): StepExecution {
  return { state: ExecutionState.SCHEDULED, stepIndex: e.stepIndex, sequenceVersion, scheduledFor: e.scheduledFor, sendingStartedAt: null, attempts: 0 } as unknown as StepExecution;
}
