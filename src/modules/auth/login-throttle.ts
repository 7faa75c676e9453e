import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
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

/** An attempt counted before its password is checked; settle it with succeeded() when it was right. */
export type LoginAttempt = { email: string; ip: string | undefined };

/**
 * Failed-login counters in Postgres (table login_throttle), so every API instance sees the same
 * counts. Emails are stored hashed: people type passwords into the email field.
 *
 * Every attempt is counted, atomically (one upsert per key, serialised by its row lock), before
 * its password is checked: of any number of parallel attempts only the first `max` are checked.
 * The attempt that reaches `max` sets the lock at once; a right password then lifts it again.
 */
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: LoginThrottleSettings,
  ) {}

  /**
   * Counts an attempt against the email and the address. Throws ACCOUNT_LOCKED (the email) or
   * TOO_MANY_ATTEMPTS (the address), with retryAfterSeconds, when it is past either limit.
   */
  async attempt(email: string, ip: string | undefined, now: Date): Promise<LoginAttempt> {
    let refusal: Error | undefined;
    for (const key of this.keys(email, ip)) {
      const counted = await this.count(key, now);
      if (counted.failures <= key.max || refusal) continue;
      const until = counted.locked_until ? new Date(counted.locked_until) : new Date(new Date(counted.window_started_at).getTime() + this.settings.windowMs);
      const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
      refusal = key.scope === 'email' ? accountLocked(retryAfterSeconds) : tooManyAttempts(retryAfterSeconds);
    }
    if (refusal) throw refusal;
    return { email, ip };
  }

  /**
   * A right password: the email's counter is cleared, and the address's loses this attempt (one
   * good account must not unlock a sprayer, nor count against its address).
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE key = $1`, [this.emailKey(attempt.email)]);
    if (!attempt.ip) return;
    await this.dataSource.query(
      `UPDATE login_throttle SET failures = failures - 1,
         locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END
       WHERE key = $1 AND failures > 0`,
      [`ip:${attempt.ip}`, this.settings.maxFailuresPerIp],
    );
  }

  // A window older than windowMs (and no lock running) starts over; reaching max sets
  // locked_until = now + windowMs. Attempts while locked are counted too (and refused).
  private async count(key: Key, now: Date): Promise<{ failures: number; window_started_at: Date; locked_until: Date | null }> {
    const [row] = await this.dataSource.query(
      `INSERT INTO login_throttle AS t (key, failures, window_started_at, locked_until)
       VALUES ($1, 1, $2, CASE WHEN $3 <= 1 THEN $2::timestamptz + make_interval(secs => $4) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ${EXPIRED} THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN ${EXPIRED} THEN $2 ELSE t.window_started_at END,
         locked_until = CASE
           WHEN (CASE WHEN ${EXPIRED} THEN 1 ELSE t.failures + 1 END) = $3 THEN $2::timestamptz + make_interval(secs => $4)
           WHEN ${EXPIRED} THEN NULL
           ELSE t.locked_until END
       RETURNING failures, window_started_at, locked_until`,
      [key.key, now.toISOString(), key.max, this.settings.windowMs / 1000],
    );
    return row;
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

// The row's window has run out and no lock is running ($2 = now, $4 = window in seconds).
const EXPIRED = `(t.window_started_at <= $2::timestamptz - make_interval(secs => $4) AND (t.locked_until IS NULL OR t.locked_until <= $2::timestamptz))`;
