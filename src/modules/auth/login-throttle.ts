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

/**
 * Failed-login counters in Postgres (table login_throttle), so every API instance sees the same
 * counts. Emails are stored hashed: people type passwords into the email field.
 */
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: LoginThrottleSettings,
  ) {}

  /** Throws ACCOUNT_LOCKED / TOO_MANY_ATTEMPTS (with retryAfterSeconds) while a key is locked. */
  async assertAllowed(email: string, ip: string | undefined, now: Date): Promise<void> {
    const keys = this.keys(email, ip);
    const rows: Array<{ key: string; locked_until: Date }> = await this.dataSource.query(
      `SELECT key, locked_until FROM login_throttle WHERE key = ANY($1) AND locked_until > $2`,
      [keys.map((k) => k.key), now.toISOString()],
    );
    const emailLock = rows.find((r) => r.key === keys[0].key);
    const lock = emailLock ?? rows[0];
    if (!lock) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((new Date(lock.locked_until).getTime() - now.getTime()) / 1000));
    throw emailLock ? accountLocked(retryAfterSeconds) : tooManyAttempts(retryAfterSeconds);
  }

  /** Counts a failure against the email and the address; the one that reaches its maximum locks. */
  async recordFailure(email: string, ip: string | undefined, now: Date): Promise<void> {
    for (const { key, max } of this.keys(email, ip)) {
      // A window older than windowMs starts over; reaching max sets locked_until = now + windowMs.
      await this.dataSource.query(
        `INSERT INTO login_throttle AS t (key, failures, window_started_at, locked_until)
         VALUES ($1, 1, $2, CASE WHEN $3 <= 1 THEN $2::timestamptz + make_interval(secs => $4) END)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN $2 ELSE t.window_started_at END,
           locked_until = CASE
             WHEN (CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE t.failures + 1 END) >= $3
               THEN $2::timestamptz + make_interval(secs => $4)
             ELSE t.locked_until END`,
        [key, now.toISOString(), max, this.settings.windowMs / 1000],
      );
    }
  }

  /** A successful login clears its email's counter (not the address's: one good account must not unlock a sprayer). */
  async recordSuccess(email: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE key = $1`, [this.emailKey(email)]);
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
