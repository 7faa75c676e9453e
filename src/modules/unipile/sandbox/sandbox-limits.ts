import { sandboxErrors } from './sandbox-errors';
import type { ResolvedSandboxOptions } from './sandbox-options';
import type { SandboxStore } from './sandbox-store';

// LinkedIn-like per-account caps over rolling windows. Which 422 LinkedIn's weekly cap produces is
// not documented; clients treat both cannot_resend_yet and limit_exceeded as "back off".

const DAY = 86_400_000;
const WEEK = 7 * DAY;

type Limits = ResolvedSandboxOptions['limits'];

/** Throws the error Unipile answers when this account may not send another invitation now. */
export function assertInviteAllowed(store: SandboxStore, accountId: string, now: Date, limits: Limits): void {
  const sent = store.invitationsOf(accountId).map((i) => i.sentAt.getTime());
  const t = now.getTime();
  if (sent.filter((at) => at > t - WEEK).length >= limits.invitesPerWeek) throw sandboxErrors.limitExceeded();
  if (sent.filter((at) => at > t - DAY).length >= limits.invitesPerDay) throw sandboxErrors.cannotResendYet();
}

/** Percentage of the weekly cap, reported only when a landing (50, 75, 90, 95) is crossed. */
export function usageLanding(store: SandboxStore, accountId: string, now: Date, limits: Limits): number | undefined {
  const t = now.getTime();
  const count = store.invitationsOf(accountId).filter((i) => i.sentAt.getTime() > t - WEEK).length;
  const pct = (n: number) => Math.floor((n / limits.invitesPerWeek) * 100);
  return [95, 90, 75, 50].find((l) => pct(count) >= l && pct(count - 1) < l);
}

/** Records a profile visit; over the daily cap LinkedIn pushes back with a 429. */
export function recordProfileView(store: SandboxStore, accountId: string, now: Date, limits: Limits): void {
  const t = now.getTime();
  const recent = (store.profileViews.get(accountId) ?? []).filter((at) => at.getTime() > t - DAY);
  if (recent.length >= limits.profileViewsPerDay) throw sandboxErrors.tooManyRequests();
  recent.push(now);
  store.profileViews.set(accountId, recent);
}
