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
  const t = now.getTime();
  if (sentSince(store, accountId, t - WEEK) >= limits.invitesPerWeek) throw sandboxErrors.limitExceeded();
  if (sentSince(store, accountId, t - DAY) >= limits.invitesPerDay) throw sandboxErrors.cannotResendYet();
}

/** Invitations of the account sent after `since` (a loop: this runs on every invite, over every invitation). */
function sentSince(store: SandboxStore, accountId: string, since: number): number {
  let n = 0;
  for (const invitation of store.invitationsOf(accountId)) if (invitation.sentAt.getTime() > since) n++;
  return n;
}

/** Percentage of the weekly cap, reported only when a landing (50, 75, 90, 95) is crossed. */
export function usageLanding(store: SandboxStore, accountId: string, now: Date, limits: Limits): number | undefined {
  const count = sentSince(store, accountId, now.getTime() - WEEK);
  const pct = (n: number) => Math.floor((n / limits.invitesPerWeek) * 100);
  return [95, 90, 75, 50].find((l) => pct(count) >= l && pct(count - 1) < l);
}

/** Records a profile visit; over the daily cap LinkedIn pushes back with a 429. */
export function recordProfileView(store: SandboxStore, accountId: string, now: Date, limits: Limits): void {
  const t = now.getTime();
  let recent = store.profileViews.get(accountId) ?? [];
  // Pruned only when the oldest visit has left the day: not a copy on every visit.
  if (recent.length > 0 && recent[0].getTime() <= t - DAY) recent = recent.filter((at) => at.getTime() > t - DAY);
  if (recent.length >= limits.profileViewsPerDay) throw sandboxErrors.tooManyRequests();
  recent.push(now);
  store.profileViews.set(accountId, recent);
}
