import type { EntityManager } from 'typeorm';

/** A step execution the runner may run now. */
export type DueExecution = { id: string; account_id: string; scheduled_for: Date };

/**
 * What can happen next: whether some account has a slot now (busy), else the earliest slot or due
 * lead (next); and the earliest execution still to run.
 */
export type NextMoments = { busy: boolean | null; next: Date | null; nextExecution: Date | null };

/** What the simulation runner asks the engine's database between the engine's steps. */
export class SimulationWorldRepository {
  constructor(private readonly db: EntityManager) {}

  /** Executions due by `now`, or before `horizon`, in time order. */
  dueExecutions(now: Date, horizon: Date): Promise<DueExecution[]> {
    return this.db.query(
      `SELECT id, account_id, scheduled_for FROM step_execution
       WHERE state IN ('scheduled', 'retrying') AND (scheduled_for <= $1 OR scheduled_for < $2)
       ORDER BY scheduled_for, id`,
      [now, horizon],
    );
  }

  /**
   * NextMoments after `now`, in one round trip. The next due lead is one probe of IDX_lead_due per
   * account (its first lead due after now), not a pass over every lead with a due time.
   */
  async nextMoments(now: Date): Promise<NextMoments> {
    const [row]: NextMoments[] = await this.db.query(
      `SELECT (SELECT bool_or(next_slot_at <= $1) FROM linkedin_account) AS busy,
              least((SELECT min(next_slot_at) FROM linkedin_account WHERE next_slot_at > $1),
                    (SELECT min(d.next_action_at) FROM linkedin_account a
                     CROSS JOIN LATERAL (SELECT next_action_at FROM lead
                                         WHERE account_id = a.id AND next_action_at IS NOT NULL AND next_action_at > $1
                                         ORDER BY next_action_at LIMIT 1) d)) AS next,
              (SELECT min(scheduled_for) FROM step_execution WHERE state IN ('scheduled', 'retrying')) AS "nextExecution"`,
      [now],
    );
    return row;
  }

  async accountIdOf(unipileAccountId: string): Promise<string | undefined> {
    const [row]: Array<{ id: string }> = await this.db.query(`SELECT id FROM linkedin_account WHERE unipile_account_id = $1`, [unipileAccountId]);
    return row?.id;
  }
}
