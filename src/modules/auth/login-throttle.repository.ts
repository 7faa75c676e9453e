import type { EntityManager } from 'typeorm';
import { updateReturning } from '../../core/db/update-returning';

/** A key's failures and the end of its lock, if any. */
export type ThrottleState = { failures: number; lockedUntil: Date | null };

/** What a settled check does to its key's failures: one more, none left, or as they were. */
export type FailureChange = 'count' | 'clear' | 'keep';

/** A key's limit and window (seconds), as the throttle's settings give them. */
export type ThrottleLimit = { max: number; windowSeconds: number };

type StateRow = { failures: number; locked_until: Date | string | null };

const toState = (r: StateRow): ThrottleState => ({ failures: r.failures, lockedUntil: r.locked_until === null ? null : new Date(r.locked_until) });

const FAILURES: Record<FailureChange, string> = { count: 't.failures + 1', clear: '0', keep: 't.failures' };

// ($2 = now, $4 = window in seconds.) The row's window has run out and no lock is running.
const EXPIRED = `(t.window_started_at <= $2::timestamptz - make_interval(secs => $4) AND (t.locked_until IS NULL OR t.locked_until <= $2::timestamptz))`;
const LOCKED = `(t.locked_until IS NOT NULL AND t.locked_until > $2::timestamptz)`;
/** Checks in progress whose lease has not run out. */
const LIVE_CHECKS = `(CASE WHEN t.checking_until > $2::timestamptz THEN t.checking ELSE 0 END)`;

/** The login_throttle table: failed-login counters and check reservations per key (on the data source). */
export class LoginThrottleRepository {
  constructor(private readonly db: EntityManager) {}

  /**
   * Takes a check reservation on a key, in one upsert, only while it is not locked and its failures
   * plus live checks are under `max`. A window older than windowSeconds with no lock running starts
   * over; a reservation past its lease (leaseSeconds) is gone. True when taken.
   */
  async reserve(key: string, now: Date, limit: ThrottleLimit, leaseSeconds: number): Promise<boolean> {
    const [row] = await this.db.query(
      `INSERT INTO login_throttle AS t (key, failures, window_started_at, checking, checking_until)
       VALUES ($1, 0, $2, 1, $2::timestamptz + make_interval(secs => $5))
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ${EXPIRED} THEN 0 ELSE t.failures END,
         window_started_at = CASE WHEN ${EXPIRED} THEN $2 ELSE t.window_started_at END,
         locked_until = CASE WHEN ${EXPIRED} THEN NULL ELSE t.locked_until END,
         checking = ${LIVE_CHECKS} + 1,
         checking_until = $2::timestamptz + make_interval(secs => $5)
       WHERE NOT ${LOCKED} AND (CASE WHEN ${EXPIRED} THEN 0 ELSE t.failures END) + ${LIVE_CHECKS} < $3
       RETURNING failures`,
      [key, now.toISOString(), limit.max, limit.windowSeconds, leaseSeconds],
    );
    return row !== undefined;
  }

  async state(key: string): Promise<ThrottleState | undefined> {
    const [row]: StateRow[] = await this.db.query(`SELECT failures, locked_until FROM login_throttle WHERE key = $1`, [key]);
    return row && toState(row);
  }

  /**
   * Ends a reservation and applies the change to the failures; reaching `max` locks the key for
   * windowSeconds from now, none left clears the lock.
   */
  async settle(key: string, change: FailureChange, now: Date, limit: ThrottleLimit): Promise<void> {
    const failures = FAILURES[change];
    await updateReturning(
      this.db,
      `UPDATE login_throttle AS t SET
         checking = greatest(t.checking - 1, 0),
         failures = ${failures},
         locked_until = CASE WHEN ${failures} >= $2 THEN $3::timestamptz + make_interval(secs => $4)
                             WHEN ${failures} = 0 THEN NULL ELSE t.locked_until END
       WHERE key = $1 RETURNING failures`,
      [key, limit.max, now.toISOString(), limit.windowSeconds],
    );
  }
}
