import { createHash } from 'node:crypto';
import { accountLocked, tooManyAttempts } from './auth.errors';
import type { FailureChange, LoginThrottleRepository, ThrottleLimit } from './login-throttle.repository';

export type LoginThrottleSettings = {
  /** Failed logins for one email within `windowMs` before it is locked. */
  maxFailuresPerEmail: number;
  /** Failed logins from one client address within `windowMs` before it is locked. */
  maxFailuresPerIp: number;
  /** Both the counting window and the length of a lock. */
  windowMs: number;
};

type Key = { key: string; scope: 'email' | 'ip'; max: number };

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
    private readonly counters: Pick<LoginThrottleRepository, 'reserve' | 'state' | 'settle'>,
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
    if (await this.counters.reserve(key.key, now, this.limit(key), CHECK_LEASE_SECONDS)) return;
    const state = await this.counters.state(key.key);
    // Locked: until the lock ends. At its limit with checks in progress: until they are done.
    const until = state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : new Date(now.getTime() + 1_000);
    const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    throw key.scope === 'email' ? accountLocked(retryAfterSeconds) : tooManyAttempts(retryAfterSeconds);
  }

  /**
   * Ends a reservation: a failure counts (and locks the key when it reaches its maximum), a success
   * clears the email's failures (not the address's: one good account must not unlock a sprayer).
   */
  private async settle(key: Key, outcome: 'failed' | 'succeeded' | 'released', now: Date): Promise<void> {
    const change: FailureChange = outcome === 'failed' ? 'count' : outcome === 'succeeded' && key.scope === 'email' ? 'clear' : 'keep';
    await this.counters.settle(key.key, change, now, this.limit(key));
  }

  private limit(key: Key): ThrottleLimit {
    return { max: key.max, windowSeconds: this.settings.windowMs / 1000 };
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
