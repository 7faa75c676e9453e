import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { updateReturning } from '../../core/db/update-returning';
import { accountLocked, tooManyAttempts } from './auth.errors';

export type LoginThrottleSettings = {
  /** Failed logins for one email within `windowMs` before it is locked. */
  maxFailuresPerEmail: number;
  /** Failed logins from one client address within `windowMs` before it is locked. */
  maxFailuresPerIp: number;
  /** Both the counting window and the length of a lock. */
  windowMs: number;
};

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = { maxFailuresPerEmail: 5, maxFailuresPerIp: 50, windowMs: 15 * 60_000 };

type Key = { key: string; scope: 'email' | 'ip'; max: number };
type Row = { failures: number; locked_until: Date | null };

/** A reservation whose process died before settling it stops counting after this long. */
const CHECK_LEASE_SECONDS = 60;

/**
 * Failed-login counters in Postgres (table login_throttle), so every API instance sees the same
 * counts. Emails are stored hashed: people type passwords into the email field.
 *
 * A password is checked only under a reservation taken atomically beforehand on the email and on
 * the address: one upsert per key, which succeeds only while failures plus checks in progress are
 * under the key's maximum. So any number of parallel attempts checks at most `max` passwords
 * before the lock (none can outrun the count), and only a wrong password counts as a failure: a
 * right one releases its reservation and clears the email's failures.
 */
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: LoginThrottleSettings,
  ) {}

  /**
   * Runs `check` (the password verification) under a reservation and records its outcome. Throws
   * ACCOUNT_LOCKED (the email) or TOO_MANY_ATTEMPTS (the address), with retryAfterSeconds, without
   * running it when a key is locked or has as many checks in progress as failures left.
   */
  async guard<T extends boolean>(email: string, ip: string | undefined, now: Date, check: () => Promise<T>): Promise<T> {
    const reserved: Key[] = [];
    try {
      for (const key of this.keys(email, ip)) {
        await this.reserve(key, now);
        reserved.push(key);
      }
    } catch (error) {
      await Promise.all(reserved.map((key) => this.settle(key, 'released', now)));
      throw error;
    }
    let outcome: 'failed' | 'succeeded' | 'released' = 'released';
    try {
      const ok = await check();
      outcome = ok ? 'succeeded' : 'failed';
      return ok;
    } finally {
      for (const key of reserved) await this.settle(key, outcome, now);
    }
  }

  private async reserve(key: Key, now: Date): Promise<void> {
    // A window older than windowMs with no lock running starts over; a reservation past its lease is gone.
    const [row] = await this.dataSource.query(
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
      [key.key, now.toISOString(), key.max, this.settings.windowMs / 1000, CHECK_LEASE_SECONDS],
    );
    if (row) return;
    const [state]: Row[] = await this.dataSource.query(`SELECT failures, locked_until FROM login_throttle WHERE key = $1`, [key.key]);
    // Locked: until the lock ends. At its limit with checks in progress: until they are done.
    const until = state?.locked_until && new Date(state.locked_until) > now ? new Date(state.locked_until) : new Date(now.getTime() + 1_000);
    const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    throw key.scope === 'email' ? accountLocked(retryAfterSeconds) : tooManyAttempts(retryAfterSeconds);
  }

  /**
   * Ends a reservation: a failure counts (and locks the key when it reaches its maximum), a success
   * clears the email's failures (not the address's: one good account must not unlock a sprayer).
   */
  private async settle(key: Key, outcome: 'failed' | 'succeeded' | 'released', now: Date): Promise<void> {
    const failures = outcome === 'failed' ? 't.failures + 1' : outcome === 'succeeded' && key.scope === 'email' ? '0' : 't.failures';
    await updateReturning(
      this.dataSource.manager,
      `UPDATE login_throttle AS t SET
         checking = greatest(t.checking - 1, 0),
         failures = ${failures},
         locked_until = CASE WHEN ${failures} >= $2 THEN $3::timestamptz + make_interval(secs => $4)
                             WHEN ${failures} = 0 THEN NULL ELSE t.locked_until END
       WHERE key = $1 RETURNING failures`,
      [key.key, key.max, now.toISOString(), this.settings.windowMs / 1000],
    );
  }

  private keys(email: string, ip: string | undefined): Key[] {
    const keys: Key[] = [{ key: this.emailKey(email), scope: 'email', max: this.settings.maxFailuresPerEmail }];
    if (ip) keys.push({ key: `ip:${ip}`, scope: 'ip', max: this.settings.maxFailuresPerIp });
    return keys;
  }

  private emailKey(email: string): string {
    return `email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  }
}

// ($2 = now, $4 = window in seconds.) The row's window has run out and no lock is running.
const EXPIRED = `(t.window_started_at <= $2::timestamptz - make_interval(secs => $4) AND (t.locked_until IS NULL OR t.locked_until <= $2::timestamptz))`;
const LOCKED = `(t.locked_until IS NOT NULL AND t.locked_until > $2::timestamptz)`;
/** Checks in progress whose lease has not run out. */
const LIVE_CHECKS = `(CASE WHEN t.checking_until > $2::timestamptz THEN t.checking ELSE 0 END)`;
