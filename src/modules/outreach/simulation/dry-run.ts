import { type Clock, VirtualClock } from '../../../core/clock';
import { seededRandom } from '../../../core/random';
import { EventQueue } from '../../../core/time/event-queue';
import type { ActionKind, LinkedInAccount } from '../../accounts';
import { type Campaign, CampaignStatus, type SequenceStep, StepKind } from '../../campaigns';
import { containsOptOutPhrase, DEFAULT_OPT_OUT_PHRASES, isActiveLeadStatus, type Lead, LeadEventType, LeadStatus } from '../../leads';
import { createSandboxWorld, type SandboxMessage, type SandboxOptions, type SandboxRelation, type SandboxWorld } from '../../unipile';
import type { EngineSettings } from '../engine-settings';
import { grantSlots } from '../rate-ledger';
import { ACTION_KINDS, accountHold, capReasons, nextSlotAt, paceDueLeads, type Pacing, roomToday, SLOT_REASONS, waitingReason } from '../scan-rules';
import { type Decision, decideStep, slotRefused } from '../step-decision';
import { ExecutionState, type StepExecution } from '../step-execution.entity';
import { DryRunSender, type SendResult } from './dry-run-sender';
import { type DryAccount, type DryExecution, DryRunState } from './dry-run-state';
import type { SimulationInput, SimulationOutput } from './dry-run.types';

const MAX_TIMELINE = 10_000;
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
  private readonly sender: DryRunSender;
  private readonly sends: EventQueue;
  private readonly dueTimes: EventQueue;
  private readonly campaign: Campaign;
  private readonly leads: Lead[] = [];
  private readonly settings: EngineSettings;
  private readonly pacing: Pacing;
  private readonly byRemote = new Map<string, DryAccount>();
  /** Leads by sender account and member id: who an acceptance or a reply is from. */
  private readonly byMember = new Map<string, Lead>();
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
    this.state = this.copyWorld();
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
    return this.output();
  }

  /** The campaign's senders as LinkedIn accounts and its leads as members, every lead from the first step (as the engine's dry run copies them). */
  private copyWorld(): DryRunState {
    const { accounts, leads, steps, start } = this.input;
    const dry = accounts.map((row): DryAccount => {
      const remote = this.world.linkedin.createAccount({ name: row.displayName });
      const account: DryAccount = {
        row: { ...row, cooldownUntil: null, nextSlotAt: null } as LinkedInAccount,
        remoteId: remote.id,
        waiting: new Set(),
        executions: [],
        pending: { invite: 0, message: 0 },
        nextSlotAt: null,
      };
      this.byRemote.set(remote.id, account);
      return account;
    });
    const senderOf = new Map(accounts.map((a, i) => [a.id, dry[i]]));
    // Scanned in id order, as the engine scans (the pacing jitter is drawn in that order).
    const scanOrder = [...dry].sort((a, b) => (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    const state = new DryRunState(scanOrder, new Map(steps.map((s) => [s.stepIndex, s])), this.dueTimes);
    leads.forEach((source, i) => {
      const member = this.world.linkedin.createProfile({
        publicIdentifier: source.publicIdentifier ?? undefined,
        providerId: source.providerId ?? undefined,
        firstName: source.firstName ?? undefined,
        lastName: source.lastName ?? undefined,
      });
      const account = (source.accountId && senderOf.get(source.accountId)) || dry[i % dry.length];
      // A literal of one shape (not a spread of the row): the scans read these objects millions of times.
      const lead: Lead = {
        id: `lead-${i}`,
        workspaceId: 'dry-run',
        campaignId: this.campaign.id,
        accountId: account.row.id,
        publicIdentifier: source.publicIdentifier,
        providerId: source.providerId ?? member.providerId,
        firstName: source.firstName,
        lastName: source.lastName,
        company: source.company,
        customFields: source.customFields ?? {},
        status: LeadStatus.PENDING_INVITE,
        statusReason: null,
        sequenceVersion: null,
        nextStepIndex: 0,
        nextActionAt: null,
        waitingReason: null,
        lastStepSentAt: null,
        chatId: null,
        inviteSentAt: null,
        connectedAt: null,
        firstOutboundAt: null,
        firstReplyAt: null,
        lastStepBeforeReply: null,
        createdAt: start,
        updatedAt: start,
      };
      this.leads.push(lead);
      this.byMember.set(`${account.remoteId}/${lead.providerId}`, lead);
      state.reschedule(lead);
    });
    return state;
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
      if ('connectionId' in fact) this.connected(fact);
      else this.replied(fact);
    }
    return found;
  }

  private connected(relation: SandboxRelation): void {
    const lead = this.byMember.get(`${relation.accountId}/${relation.providerId}`);
    if (!lead || (lead.status !== LeadStatus.PENDING_INVITE && lead.status !== LeadStatus.INVITE_SENT)) return;
    lead.connectedAt = relation.createdAt;
    this.state.record(lead, LeadEventType.CONNECTION_ACCEPTED, relation.createdAt, previousStep(lead));
    this.state.statusChanged(lead, LeadStatus.CONNECTED, 'INVITE_ACCEPTED', this.clock.now());
    lead.statusReason = null;
    this.state.reschedule(lead);
  }

  private replied(message: SandboxMessage): void {
    const lead = this.byMember.get(`${message.accountId}/${message.senderProviderId}`);
    if (!lead) return;
    const optedOut = containsOptOutPhrase(message.text, DEFAULT_OPT_OUT_PHRASES);
    this.state.record(lead, LeadEventType.MESSAGE_RECEIVED, message.sentAt, previousStep(lead));
    lead.chatId ??= message.chatId;
    if (lead.firstReplyAt === null || message.sentAt < lead.firstReplyAt) lead.firstReplyAt = message.sentAt;
    const canRespond = isActiveLeadStatus(lead.status) || lead.status === LeadStatus.COMPLETED;
    const status = optedOut ? LeadStatus.OPTED_OUT : canRespond ? LeadStatus.RESPONDED : lead.status;
    const now = this.clock.now();
    if (status !== lead.status && lead.status !== LeadStatus.OPTED_OUT) {
      this.state.statusChanged(lead, status, optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED', now);
      lead.statusReason = optedOut ? 'OPT_OUT_PHRASE' : 'REPLIED';
      this.state.setDue(lead, null, null);
      // Whatever was queued for the lead does not go out.
      for (const e of this.state.accountOf(lead).executions) {
        if (e.lead === lead && e.state === 'scheduled') this.unqueue(e);
      }
    }
    if (optedOut) this.state.record(lead, LeadEventType.LEAD_OPTED_OUT, message.sentAt, previousStep(lead));
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
    for (const lead of unaccepted) {
      this.state.statusChanged(lead, LeadStatus.FAILED, 'INVITE_NOT_ACCEPTED', now);
      lead.statusReason = 'INVITE_NOT_ACCEPTED';
      this.state.setDue(lead, null, null);
    }
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
      leads[this.state.step(lead.nextStepIndex)!.kind === StepKind.INVITE ? 'invite' : 'message'].push(lead);
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

  private unqueue(execution: DryExecution): void {
    this.state.settle(execution, 'skipped');
    this.sends.cancel(execution.queued);
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
        return this.skip(execution, decision.reason, decision.lead, decision.due, now);
      case 'fail':
        return this.failLead(execution, decision.reason, now);
      case 'send':
        return this.sent(execution, step, decision.day, this.sender.send(execution, step, decision.text), now);
      default:
        // 'done', 'hold', 'resume', 'exclude' need an earlier attempt, a crash or a do-not-contact list: a dry run has none.
        throw new Error(`A dry run cannot reach the decision ${decision.kind}`);
    }
  }

  private skip(execution: DryExecution, reason: string, lead: Lead | null, due: Date | 'reschedule' | undefined, now: Date): void {
    this.state.settle(execution, 'skipped');
    if (!lead || due === undefined) return;
    const before = lead.waitingReason;
    if (due === 'reschedule') this.state.reschedule(lead);
    else this.state.setDue(lead, due, reason);
    if (before !== reason) this.state.record(lead, LeadEventType.STEP_DEFERRED, now, execution.stepIndex, reason);
  }

  private failLead(execution: DryExecution, reason: string, now: Date): void {
    const { lead } = execution;
    this.state.settle(execution, 'failed');
    this.state.record(lead, LeadEventType.STEP_FAILED, now, execution.stepIndex, reason);
    if (!isActiveLeadStatus(lead.status)) return;
    lead.statusReason = reason;
    this.state.setDue(lead, null, null);
    this.state.statusChanged(lead, LeadStatus.FAILED, reason, now);
  }

  /** What LinkedIn answered: the step recorded and the lead advanced, or the failure acted on as the engine does. */
  private sent(execution: DryExecution, step: SequenceStep, day: string, result: SendResult, now: Date): void {
    const { lead, account } = execution;
    const slot: ActionKind = step.kind === StepKind.INVITE ? 'invite' : 'message';
    switch (result.outcome) {
      case 'failed':
        this.state.addUsed(account, day, slot, -1);
        return this.failLead(execution, result.reason, now);
      case 'rate-limited':
        return this.coolDown(execution, now);
      case 'already-invited':
        this.state.addUsed(account, day, slot, -1);
        return this.skipAhead(execution, LeadStatus.INVITE_SENT, 'ALREADY_INVITED', now);
      case 'already-connected':
        this.state.addUsed(account, day, slot, -1);
        return this.skipAhead(execution, LeadStatus.CONNECTED, 'ALREADY_CONNECTED', now);
    }
    this.state.settle(execution, 'sent');
    const isInvite = step.kind === StepKind.INVITE;
    this.state.record(lead, isInvite ? LeadEventType.CONNECTION_REQUEST_SENT : LeadEventType.MESSAGE_SENT, now, execution.stepIndex);
    if (!isActiveLeadStatus(lead.status)) return;
    const last = !this.state.step(execution.stepIndex + 1);
    const invited = lead.status === LeadStatus.CONNECTED ? LeadStatus.CONNECTED : LeadStatus.INVITE_SENT;
    const status = last ? LeadStatus.COMPLETED : isInvite ? invited : LeadStatus.MESSAGED;
    lead.statusReason = last ? 'SEQUENCE_FINISHED' : null;
    lead.nextStepIndex = execution.stepIndex + 1;
    lead.lastStepSentAt = now;
    lead.firstOutboundAt ??= now;
    if (isInvite) lead.inviteSentAt = now;
    lead.chatId = result.chatId ?? lead.chatId;
    if (status !== lead.status) this.state.statusChanged(lead, status, last ? 'SEQUENCE_FINISHED' : `STEP_${execution.stepIndex}_SENT`, now);
    this.state.reschedule(lead);
  }

  /** LinkedIn's rate limit: the slot stays used, the account rests, its queue waits for the end of the rest. */
  private coolDown(execution: DryExecution, now: Date): void {
    const { account } = execution;
    const until = new Date(now.getTime() + this.settings.cooldownMs);
    account.row.cooldownUntil = until;
    this.skip(execution, 'COOLDOWN', execution.lead, until, now);
    for (const queued of account.executions) {
      if (queued.state !== 'scheduled') continue;
      this.unqueue(queued);
      this.state.setDue(queued.lead, until, 'COOLDOWN');
    }
  }

  /** The lead moves past the step without a send of ours (StepOutcomes.alreadyInvited, alreadyConnected). */
  private skipAhead(execution: DryExecution, status: LeadStatus, reason: string, now: Date): void {
    const { lead } = execution;
    this.state.settle(execution, 'skipped');
    if (!isActiveLeadStatus(lead.status)) return;
    if (status === LeadStatus.CONNECTED) {
      lead.connectedAt = now;
      this.state.record(lead, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL, now, execution.stepIndex);
    } else lead.inviteSentAt = now;
    lead.statusReason = reason;
    lead.nextStepIndex = execution.stepIndex + 1;
    lead.lastStepSentAt = now;
    this.state.reschedule(lead);
    this.state.statusChanged(lead, status, reason, now);
  }

  // ── the answer (simulation-run.ts collect) ──────────────────────────────────

  private output(): SimulationOutput {
    const count = (...types: LeadEventType[]) => this.state.events.filter((e) => types.includes(e.type)).length;
    const statuses = new Map<string, number>();
    for (const lead of this.leads) statuses.set(lead.status, (statuses.get(lead.status) ?? 0) + 1);
    const timeline = this.state.events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
    return {
      campaignId: this.input.campaignId,
      days: this.input.days,
      startedAt: this.input.start,
      endedAt: this.clock.now(),
      leads: this.input.leads.length,
      invitesSent: count(LeadEventType.CONNECTION_REQUEST_SENT),
      acceptances: count(LeadEventType.CONNECTION_ACCEPTED, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL),
      messagesSent: count(LeadEventType.MESSAGE_SENT),
      replies: count(LeadEventType.MESSAGE_RECEIVED),
      leadsByStatus: [...statuses].map(([status, n]) => ({ status, count: n })).sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
      truncated: timeline.length > MAX_TIMELINE,
      timeline: timeline.slice(0, MAX_TIMELINE).map((e) => ({
        at: e.at,
        publicIdentifier: e.lead.publicIdentifier,
        providerId: e.lead.providerId,
        type: e.type,
        stepIndex: e.stepIndex,
        reason: e.reason,
      })),
    };
  }
}

const byDue = (a: Lead, b: Lead) => a.nextActionAt!.getTime() - b.nextActionAt!.getTime();

/** The step an acceptance or reply follows (the last one sent). */
const previousStep = (lead: Lead): number | null => (lead.nextStepIndex > 0 ? lead.nextStepIndex - 1 : null);

const factAt = (fact: SandboxRelation | SandboxMessage): number => ('connectionId' in fact ? fact.createdAt : fact.sentAt).getTime();

/** The execution as the step rules read it: a fresh one, scheduled. */
function asExecution(e: DryExecution, sequenceVersion: number): StepExecution {
  return { state: ExecutionState.SCHEDULED, stepIndex: e.stepIndex, sequenceVersion, scheduledFor: e.scheduledFor, sendingStartedAt: null, attempts: 0 } as unknown as StepExecution;
}
