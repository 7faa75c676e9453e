import type { DataSource } from 'typeorm';
import type { VirtualClock } from '../../../core/clock';
import { EventSource, type LeadProgressService } from '../../leads';
import type { SandboxMessage, SandboxRelation, UnipileSandbox } from '../../unipile';
import type { ExecuteStepService } from '../execute-step.service';
import type { SchedulerService } from '../scheduler.service';
import { inLanes } from '../lanes';
import { SimulationClock } from './simulation-clock';
import { type DueExecution, type NextMoments, SimulationWorldRepository } from './simulation-world.repository';

export type SimulationParts = {
  /** The simulation's database (its statements: SimulationWorldRepository). */
  dataSource: DataSource;
  clock: VirtualClock;
  sandbox: UnipileSandbox;
  scheduler: SchedulerService;
  executor: ExecuteStepService;
  progress: LeadProgressService;
  /** How often the engine scans (the recurring job's interval). */
  scanEveryMs: number;
  /**
   * Called with an account whose leads a detected acceptance may have made due (in the service,
   * the webhook and the reconciliation wake the engine's scan): the scan must not skip it.
   */
  onLeadsDue?: (accountId: string) => void;
  /**
   * Accounts worked on at once (default 1: one execution after another, each at its own instant).
   * Above 1 the clock must be a SimulationClock: executions due before anything else can happen
   * (the next scan or LinkedIn event) run together, each account's in order at its own instant.
   */
  concurrency?: number;
};

/** Executions claimed and recorded together when running concurrently. */
const EXECUTION_BATCH = 500;

/**
 * Drives the real engine services on a virtual clock, without Agenda timers: time jumps from one
 * interesting moment to the next (a scan, a due execution, a simulated LinkedIn event), so days
 * pass in seconds. Acceptances and replies reach the leads the way a poller would see them in the
 * sandbox; the webhook path is exercised by its own tests.
 */
export class SimulationRunner {
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private nextScanAt: number;
  /** The earliest execution still to run, as the last step left them (null: none). */
  private nextExecution: Date | null = null;
  private seenRelations = 0;
  private seenMessages = 0;
  private readonly accountIds = new Map<string, string>();
  private readonly concurrency: number;
  private readonly world: SimulationWorldRepository;

  constructor(private readonly parts: SimulationParts) {
    this.world = new SimulationWorldRepository(parts.dataSource.manager);
    this.nextScanAt = parts.clock.now().getTime();
    this.concurrency = parts.concurrency ?? 1;
    if (this.concurrency > 1 && !(parts.clock instanceof SimulationClock)) throw new Error('concurrent simulation needs a SimulationClock');
  }

  /** Runs until the clock reaches `until`. */
  async runUntil(until: Date): Promise<void> {
    const { clock, sandbox } = this.parts;
    for (;;) {
      await this.step(until.getTime());
      const now = clock.now().getTime();
      if (now >= until.getTime()) return;
      const next = Math.min(until.getTime(), this.nextScanAt, this.nextExecutionAt(), this.nextSandboxEventAt());
      sandbox.advance(Math.max(next - now, 1));
    }
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(new Date(this.parts.clock.now().getTime() + ms));
  }

  /** Everything due at the current instant (and, concurrently, until the next scan or LinkedIn event). */
  async step(until = Number.POSITIVE_INFINITY): Promise<void> {
    const now = this.parts.clock.now();
    let changed = await this.detect();
    if (now.getTime() >= this.nextScanAt) {
      await this.parts.scheduler.tick();
      this.lastScanAt = now.getTime();
      changed = true;
    }
    // Nothing but executions can happen before the horizon, and executions of different accounts
    // touch different leads, ledger rows and LinkedIn accounts: they may run side by side.
    const horizon =
      this.concurrency > 1 ? Math.min(until, this.nextScanAt, this.nextSandboxEventAt(), now.getTime() + this.parts.scanEveryMs) : now.getTime();
    const due = await this.world.dueExecutions(now, new Date(horizon));
    await this.execute(due);
    changed = (await this.detect()) || changed || due.length > 0;
    const next = await this.world.nextMoments(now);
    this.nextExecution = next.nextExecution;
    if (changed) this.nextScanAt = this.nextUsefulScan(now, next);
  }

  private async execute(due: DueExecution[]): Promise<void> {
    const { clock, executor } = this.parts;
    if (!(clock instanceof SimulationClock) || this.concurrency === 1) {
      for (const { id } of due) await executor.execute(id);
      return;
    }
    // In batches, as a worker claims them: each execution at its own instant, each account's in
    // order, accounts side by side. Batches follow time order, so an account's order holds across them.
    const now = clock.now().getTime();
    const runAt = <T>(at: Date, fn: () => Promise<T>) => clock.at(at, fn);
    for (let first = 0; first < due.length; first += EXECUTION_BATCH) {
      const batch = due.slice(first, first + EXECUTION_BATCH).map((e) => ({ id: e.id, at: new Date(Math.max(e.scheduled_for.getTime(), now)) }));
      await executor.executeBatch(batch, { lanes: this.concurrency, runAt });
    }
  }

  /**
   * Scans every scanEveryMs while some account can act now; otherwise none before the first
   * moment anything can change (an account's next slot, a lead's next due time). Nights and
   * weekends then cost one scan instead of dozens, as they would cost nothing in the service.
   */
  private nextUsefulScan(now: Date, { busy, next }: NextMoments): number {
    // The regular cadence of the recurring job, not postponed by activity in between.
    const regular = Math.max(this.lastScanAt + this.parts.scanEveryMs, now.getTime());
    if (busy) return regular;
    return next ? Math.max(regular, next.getTime()) : Number.POSITIVE_INFINITY;
  }

  private nextExecutionAt(): number {
    const at = this.nextExecution;
    return at ? Math.max(at.getTime(), this.parts.clock.now().getTime() + 1) : Number.POSITIVE_INFINITY;
  }

  private nextSandboxEventAt(): number {
    return this.parts.sandbox.nextEventAt()?.getTime() ?? Number.POSITIVE_INFINITY;
  }

  /**
   * New connections and inbound messages in the simulated LinkedIn become lead progress: in the
   * order LinkedIn produced them for each account, accounts side by side when running concurrently.
   */
  private async detect(): Promise<boolean> {
    const { store } = this.parts.sandbox;
    const facts: Array<SandboxRelation | SandboxMessage> = [
      ...store.relations.slice(this.seenRelations),
      ...store.messages.slice(this.seenMessages).filter((m) => !m.isSender),
    ];
    const found = store.relations.length + store.messages.length > this.seenRelations + this.seenMessages;
    this.seenRelations = store.relations.length;
    this.seenMessages = store.messages.length;
    if (facts.length === 0) return found;
    facts.sort((a, b) => at(a) - at(b));
    await inLanes(facts, (f) => f.accountId, this.concurrency, (fact) => this.record(fact));
    return found;
  }

  private async record(fact: SandboxRelation | SandboxMessage): Promise<void> {
    const accountId = await this.accountId(fact.accountId);
    if (!accountId) return;
    if ('connectionId' in fact) {
      const connected = await this.parts.progress.markConnected({ accountId, providerId: fact.providerId, occurredAt: fact.createdAt, source: EventSource.POLL });
      if (connected.length > 0) this.parts.onLeadsDue?.(accountId);
      return;
    }
    await this.parts.progress.markReplied({
      accountId,
      providerId: fact.senderProviderId,
      chatId: fact.chatId,
      messageId: fact.id,
      text: fact.text,
      occurredAt: fact.sentAt,
      source: EventSource.POLL,
    });
  }

  private async accountId(unipileAccountId: string): Promise<string | undefined> {
    if (!this.accountIds.has(unipileAccountId)) {
      const id = await this.world.accountIdOf(unipileAccountId);
      if (!id) return undefined;
      this.accountIds.set(unipileAccountId, id);
    }
    return this.accountIds.get(unipileAccountId);
  }
}

const at = (fact: SandboxRelation | SandboxMessage): number => ('connectionId' in fact ? fact.createdAt : fact.sentAt).getTime();
