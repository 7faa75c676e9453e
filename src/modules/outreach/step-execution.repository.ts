import type { EntityManager } from 'typeorm';
import { LinkedInAccount } from '../accounts';
import { Campaign } from '../campaigns';
import { Lead } from '../leads';
import { StepExecution } from './step-execution.entity';

/** An execution locked with its lead and account (null: gone), and its campaign (read, not locked). */
export type LockedExecution = { execution: StepExecution; lead: Lead | null; account: LinkedInAccount | null; campaign?: Campaign };

/** A claim this worker made: the execution and the `sending` time it wrote. */
export type Claim = { id: string; sendingStartedAt: Date };

/** The engine's queue of step executions (step_execution). */
export class StepExecutionRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): StepExecutionRepository {
    return new StepExecutionRepository(em);
  }

  /**
   * Up to `limit` due executions no other transaction holds, locked (SKIP LOCKED), in time order:
   * fresh and retrying ones whose time has come, and `sending` ones whose lease started before `leaseCutoff`.
   */
  async lockDue(now: Date, leaseCutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM step_execution
         WHERE (state IN ('scheduled', 'retrying') AND scheduled_for <= $1) OR (state = 'sending' AND sending_started_at <= $2)
         ORDER BY scheduled_for, id LIMIT $3
         FOR NO KEY UPDATE SKIP LOCKED`,
      [now, leaseCutoff, limit],
    );
    return rows.map((r) => r.id);
  }

  /** When the next execution becomes due (one to send or retry, or a lease of `leaseMs` to run out), if any. */
  async nextDueAt(leaseMs: number): Promise<Date | undefined> {
    const [row] = await this.db.query<Array<{ at: Date | null }>>(
      `SELECT least((SELECT min(scheduled_for) FROM step_execution WHERE state IN ('scheduled', 'retrying')),
                    (SELECT min(sending_started_at) FROM step_execution WHERE state = 'sending') + make_interval(secs => $1)) AS at`,
      [leaseMs / 1000],
    );
    return row.at ?? undefined;
  }

  /**
   * Executions that should have run by now (bounded): scheduled before `now`, retrying at or
   * before it, or `sending` with a lease started before `leaseCutoff`.
   */
  async stalledIds(now: Date, leaseCutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM step_execution
       WHERE (state = 'scheduled' AND scheduled_for < $2)
          OR (state = 'retrying' AND scheduled_for <= $1)
          OR (state = 'sending' AND sending_started_at < $3)
       ORDER BY scheduled_for LIMIT $4`,
      [now, leaseCutoff, leaseCutoff, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Locks the executions with their leads and accounts in one statement (the usual case); an
   * execution whose lead or account is gone, alone. Executions that do not exist are absent.
   */
  async lockWithRows(ids: string[]): Promise<Map<string, LockedExecution>> {
    // The campaign comes along unlocked (its status is read, as findOne would).
    const joined = (await this.db
      .createQueryBuilder(StepExecution, 'e')
      .innerJoinAndSelect('e.lead', 'l')
      .innerJoinAndMapOne('e.account', LinkedInAccount, 'a', 'a.id = e.account_id')
      .innerJoinAndMapOne('e.campaign', Campaign, 'c', 'c.id = e.campaign_id')
      .where(ids.length === 1 ? 'e.id = :id' : 'e.id IN (:...ids)', { id: ids[0], ids })
      .orderBy('e.id')
      .setLock('for_no_key_update', undefined, ['e', 'l', 'a'])
      .getMany()) as Array<StepExecution & { account?: LinkedInAccount; campaign?: Campaign }>;
    const locked = new Map<string, LockedExecution>();
    for (const row of joined) {
      const { lead, account, campaign } = row;
      delete row.lead;
      delete row.account;
      delete row.campaign;
      locked.set(row.id, { execution: row, lead: lead ?? null, account: account ?? null, campaign });
    }
    for (const id of ids.filter((i) => !locked.has(i))) {
      const execution = await this.db.findOne(StepExecution, { where: { id }, lock: { mode: 'for_no_key_update' } });
      if (!execution) continue;
      const lead = await this.db.findOne(Lead, { where: { id: execution.leadId }, lock: { mode: 'for_no_key_update' } });
      const account = await this.db.findOne(LinkedInAccount, { where: { id: execution.accountId }, lock: { mode: 'for_no_key_update' } });
      const campaign = (await this.db.findOne(Campaign, { where: { id: execution.campaignId } })) ?? undefined;
      locked.set(id, { execution, lead, account, campaign });
    }
    return locked;
  }

  /**
   * Of these claims, the ones still this worker's (`sending`, with the time it wrote), locked: one
   * whose lease ran out and that another worker took over is that worker's.
   */
  async lockStillClaimed(claims: Claim[], workerId: string): Promise<Set<string>> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT e.id FROM step_execution e JOIN unnest($1::uuid[], $2::timestamptz[]) AS v(id, started) ON v.id = e.id
         WHERE e.state = 'sending' AND e.worker_id = $3 AND e.sending_started_at = v.started FOR NO KEY UPDATE OF e`,
      [claims.map((c) => c.id), claims.map((c) => c.sendingStartedAt.toISOString()), workerId],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Writes the execution's mutable columns: an UPDATE by primary key, where em.save would first
   * SELECT the row again (it is locked and loaded in this transaction already).
   */
  async saveOne(e: StepExecution): Promise<void> {
    await this.db.update(StepExecution, e.id, {
      state: e.state,
      scheduledFor: e.scheduledFor,
      attempts: e.attempts,
      lastError: e.lastError,
      unipileRef: e.unipileRef,
      ledgerDay: e.ledgerDay,
      workerId: e.workerId,
      sendingStartedAt: e.sendingStartedAt,
      sentAt: e.sentAt,
    });
  }

  /** saveOne() for many executions in one statement. */
  async saveMany(executions: StepExecution[]): Promise<void> {
    if (executions.length === 0) return;
    if (executions.length === 1) return this.saveOne(executions[0]);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    await this.db.query(
      `UPDATE step_execution e SET state = v.state::execution_state, scheduled_for = v.scheduled_for, attempts = v.attempts, last_error = v.last_error,
            unipile_ref = v.unipile_ref, ledger_day = v.ledger_day, worker_id = v.worker_id, sending_started_at = v.sending_started_at,
            sent_at = v.sent_at, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::date[], $8::text[], $9::timestamptz[], $10::timestamptz[])
       AS v(id, state, scheduled_for, attempts, last_error, unipile_ref, ledger_day, worker_id, sending_started_at, sent_at)
     WHERE e.id = v.id`,
      [
        executions.map((e) => e.id),
        executions.map((e) => e.state),
        executions.map((e) => iso(e.scheduledFor)),
        executions.map((e) => e.attempts),
        executions.map((e) => e.lastError),
        executions.map((e) => e.unipileRef),
        executions.map((e) => e.ledgerDay),
        executions.map((e) => e.workerId),
        executions.map((e) => iso(e.sendingStartedAt)),
        executions.map((e) => iso(e.sentAt)),
      ],
    );
  }

  /** The account's executions waiting to run are skipped with the reason; their leads wait until `due`. */
  async skipAccountQueue(accountId: string, reason: string, due: Date): Promise<void> {
    await this.db.query(
      `WITH skipped AS (
         UPDATE step_execution SET state = 'skipped', last_error = $2, updated_at = now()
         WHERE account_id = $1 AND state = 'scheduled' RETURNING lead_id)
       UPDATE lead SET next_action_at = $3, waiting_reason = $2 FROM skipped WHERE lead.id = skipped.lead_id`,
      [accountId, reason, due],
    );
  }
}
