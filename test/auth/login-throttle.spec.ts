import { LoginThrottle } from '../../src/modules/auth/login-throttle';
import type { FailureChange, LoginThrottleRepository, ThrottleLimit, ThrottleState } from '../../src/modules/auth/login-throttle.repository';

type Counters = Pick<LoginThrottleRepository, 'reserve' | 'state' | 'settle'>;

const NOW = new Date('2026-01-10T12:00:00Z');
const SETTINGS = { maxFailuresPerEmail: 5, maxFailuresPerIp: 50, windowMs: 15 * 60_000 };

/** Records what the throttle asks of its table; `refuse` keys turn their reservation down with a state. */
class FakeCounters implements Counters {
  calls: string[] = [];
  refuse = new Map<string, ThrottleState | undefined>();

  async reserve(key: string, _now: Date, limit: ThrottleLimit, leaseSeconds: number): Promise<boolean> {
    this.calls.push(`reserve ${kind(key)} max=${limit.max} window=${limit.windowSeconds} lease=${leaseSeconds}`);
    return !this.refuse.has(kind(key));
  }

  async state(key: string): Promise<ThrottleState | undefined> {
    return this.refuse.get(kind(key));
  }

  async settle(key: string, change: FailureChange, _now: Date, limit: ThrottleLimit): Promise<void> {
    this.calls.push(`settle ${kind(key)} ${change} max=${limit.max}`);
  }
}

// Keys are `email:<sha256>` and `ip:<address>`: the scope is enough here.
const kind = (key: string) => key.slice(0, key.indexOf(':'));

describe(LoginThrottle.name, () => {
  let counters: FakeCounters;
  let throttle: LoginThrottle;

  beforeEach(() => {
    counters = new FakeCounters();
    throttle = new LoginThrottle(counters, SETTINGS);
  });

  it('should count a failure on the email and on the address when the password is wrong', async () => {
    const ok = await throttle.guard('Ann@Example.com', '10.0.0.1', NOW, async () => false);

    expect(ok).toBe(false);
    expect(counters.calls).toEqual([
      'reserve email max=5 window=900 lease=60',
      'reserve ip max=50 window=900 lease=60',
      'settle email count max=5',
      'settle ip count max=50',
    ]);
  });

  it("should clear the email's failures but keep the address's when the password is right", async () => {
    await throttle.guard('ann@example.com', '10.0.0.1', NOW, async () => true);

    expect(counters.calls.filter((c) => c.startsWith('settle'))).toEqual(['settle email clear max=5', 'settle ip keep max=50']);
  });

  it('should only release the reservations when the check itself throws', async () => {
    await expect(
      throttle.guard('ann@example.com', undefined, NOW, async () => {
        throw new Error('hashing failed');
      }),
    ).rejects.toThrow('hashing failed');

    expect(counters.calls).toEqual(['reserve email max=5 window=900 lease=60', 'settle email keep max=5']);
  });

  it('should refuse with ACCOUNT_LOCKED until the lock ends, without checking the password, when the email is locked', async () => {
    counters.refuse.set('email', { failures: 5, lockedUntil: new Date(NOW.getTime() + 90_500) });
    const check = jest.fn(async () => true);

    await expect(throttle.guard('ann@example.com', '10.0.0.1', NOW, check)).rejects.toMatchObject({
      code: 'ACCOUNT_LOCKED',
      details: { retryAfterSeconds: 91 },
    });
    expect(check).not.toHaveBeenCalled();
  });

  it('should refuse with TOO_MANY_ATTEMPTS and give the email reservation back when the address is at its limit', async () => {
    // At the limit with checks still running, no lock yet: retry in a second.
    counters.refuse.set('ip', { failures: 49, lockedUntil: null });

    await expect(throttle.guard('ann@example.com', '10.0.0.1', NOW, async () => true)).rejects.toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      details: { retryAfterSeconds: 1 },
    });
    expect(counters.calls).toEqual(['reserve email max=5 window=900 lease=60', 'reserve ip max=50 window=900 lease=60', 'settle email keep max=5']);
  });
});
