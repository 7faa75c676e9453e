import type { DataSource } from 'typeorm';
import type { VirtualClock } from '../../../core/clock';
import { EventSource } from '../../leads/lead-event-type';
import type { LeadProgressService } from '../../leads/lead-progress.service';
import type { UnipileSandbox } from '../../unipile/sandbox/sandbox';
import type { ExecuteStepService } from '../execute-step.service';
import type { SchedulerService } from '../scheduler.service';

export type SimulationParts = {
  dataSource: DataSource;
  clock: VirtualClock;
  sandbox: UnipileSandbox;
  scheduler: SchedulerService;
  executor: ExecuteStepService;
  progress: LeadProgressService;
  /** How often the engine scans (the recurring job's interval). */
  scanEveryMs: number;
};

/**
 * Drives the real engine services on a virtual clock, without Agenda timers: time jumps from one
 * interesting moment to the next (a scan, a due execution, a simulated LinkedIn event), so days
 * pass in seconds. Acceptances and replies reach the leads the way a poller would see them in the
 * sandbox; the webhook path is exercised by its own tests.
 */
export class SimulationRunner {
  private nextScanAt: number;
  private seenRelations = 0;
  private seenMessages = 0;
  private readonly accountIds = new Map<string, string>();

  constructor(private readonly parts: SimulationParts) {
    this.nextScanAt = parts.clock.now().getTime();
  }

  /** Runs until the clock reaches `until`. */
  async runUntil(until: Date): Promise<void> {
    const { clock, sandbox } = this.parts;
    for (;;) {
      await this.step();
      const now = clock.now().getTime();
      if (now >= until.getTime()) return;
      const next = Math.min(until.getTime(), this.nextScanAt, await this.nextExecutionAt(), this.nextSandboxEventAt());
      sandbox.advance(Math.max(next - now, 1));
    }
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(new Date(this.parts.clock.now().getTime() + ms));
  }

  /** Everything due at the current instant: detection, the scan, the executions. */
  async step(): Promise<void> {
    const now = this.parts.clock.now();
    let changed = await this.detect();
    if (now.getTime() >= this.nextScanAt) {
      await this.parts.scheduler.tick();
      changed = true;
    }
    const due: Array<{ id: string }> = await this.parts.dataSource.query(
      `SELECT id FROM step_execution WHERE state IN ('scheduled', 'retrying') AND scheduled_for <= $1 ORDER BY scheduled_for, id`,
      [now],
    );
    for (const { id } of due) await this.parts.executor.execute(id);
    changed = (await this.detect()) || changed || due.length > 0;
    if (changed) this.nextScanAt = await this.nextUsefulScan(now);
  }

  /**
   * A scan every scanEveryMs while some account can act now; otherwise none before the first
   * moment anything can change (an account's next slot, a lead's next due time). Nights and
   * weekends then cost one scan instead of dozens, as they would cost nothing in the service.
   */
  private async nextUsefulScan(now: Date): Promise<number> {
    const [row]: Array<{ busy: boolean | null; next: Date | null }> = await this.parts.dataSource.query(
      `SELECT (SELECT bool_or(next_slot_at <= $1) FROM linkedin_account) AS busy,
              least((SELECT min(next_slot_at) FROM linkedin_account WHERE next_slot_at > $1),
                    (SELECT min(next_action_at) FROM lead WHERE next_action_at > $1)) AS next`,
      [now],
    );
    const regular = now.getTime() + this.parts.scanEveryMs;
    if (row.busy) return regular;
    return row.next ? Math.max(regular, row.next.getTime()) : Number.POSITIVE_INFINITY;
  }

  private async nextExecutionAt(): Promise<number> {
    const [row]: Array<{ at: Date | null }> = await this.parts.dataSource.query(
      `SELECT min(scheduled_for) AS at FROM step_execution WHERE state IN ('scheduled', 'retrying')`,
    );
    return row.at ? Math.max(row.at.getTime(), this.parts.clock.now().getTime() + 1) : Number.POSITIVE_INFINITY;
  }

  private nextSandboxEventAt(): number {
    const events = this.parts.sandbox.pendingEvents();
    return events.reduce((min, e) => Math.min(min, e.dueAt.getTime()), Number.POSITIVE_INFINITY);
  }

  /** New connections and inbound messages in the simulated LinkedIn become lead progress. */
  private async detect(): Promise<boolean> {
    const before = this.seenRelations + this.seenMessages;
    const { store } = this.parts.sandbox;
    for (const relation of store.relations.slice(this.seenRelations)) {
      const accountId = await this.accountId(relation.accountId);
      if (accountId) {
        await this.parts.progress.markConnected({ accountId, providerId: relation.providerId, occurredAt: relation.createdAt, source: EventSource.POLL });
      }
    }
    this.seenRelations = store.relations.length;
    for (const message of store.messages.slice(this.seenMessages)) {
      if (message.isSender) continue;
      const accountId = await this.accountId(message.accountId);
      if (accountId) {
        await this.parts.progress.markReplied({
          accountId,
          providerId: message.senderProviderId,
          chatId: message.chatId,
          messageId: message.id,
          text: message.text,
          occurredAt: message.sentAt,
          source: EventSource.POLL,
        });
      }
    }
    this.seenMessages = store.messages.length;
    return this.seenRelations + this.seenMessages > before;
  }

  private async accountId(unipileAccountId: string): Promise<string | undefined> {
    if (!this.accountIds.has(unipileAccountId)) {
      const [row]: Array<{ id: string }> = await this.parts.dataSource.query(`SELECT id FROM linkedin_account WHERE unipile_account_id = $1`, [
        unipileAccountId,
      ]);
      if (!row) return undefined;
      this.accountIds.set(unipileAccountId, row.id);
    }
    return this.accountIds.get(unipileAccountId);
  }
}
