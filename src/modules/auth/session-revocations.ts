import type { LiveEvent, LiveEventFeed } from '../../core/pubsub/live-event-feed';
import type { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import type { Viewer } from '../../core/graphql/viewer';

/**
 * Tokens that stopped being valid: every token of a workspace below a token version
 * (revokeAllTokens), or every token of one user below that user's version (password change, role
 * or operator change, deactivation, deletion).
 */
export type SessionRevocation = { workspaceId: string; userId: string | null; belowVersion: number };

export const SESSIONS_REVOKED_TOPIC = 'SESSIONS_REVOKED';

/**
 * Announces a revocation to every instance, in the caller's transaction (`events` is bound to it):
 * the live_event trigger function writes the row and NOTIFYs it at commit (polled on the embedded
 * database), so an instance closes the affected WebSockets only once the revocation is committed.
 */
export function publishRevocation(events: Pick<LiveEventRepository, 'publish'>, revocation: SessionRevocation): Promise<void> {
  return events.publish(revocation.workspaceId, SESSIONS_REVOKED_TOPIC, { userId: revocation.userId, belowVersion: revocation.belowVersion });
}

function fromEvent(event: LiveEvent): SessionRevocation | undefined {
  if (event.topic !== SESSIONS_REVOKED_TOPIC) return undefined;
  const { userId, belowVersion } = event.payload;
  if (!Number.isInteger(belowVersion) || (userId !== null && typeof userId !== 'string')) return undefined;
  return { workspaceId: event.workspaceId, userId, belowVersion: belowVersion as number };
}

/**
 * The revocations this API instance has heard of (from any instance, through the live event
 * feed), kept as the lowest valid version per workspace and per user. Long-lived connections
 * (WebSockets) check their viewer against it: when one arrives (onRevoked), and when a connection
 * is accepted, so a socket authenticated just before a revocation committed is not left open.
 */
export class SessionRevocations {
  private readonly workspaceFloors = new Map<string, number>();
  private readonly userFloors = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  /** Starts hearing revocations from the feed; returns the unsubscribe. */
  listen(feed: LiveEventFeed): () => void {
    return feed.subscribe((event) => {
      const revocation = fromEvent(event);
      if (revocation) this.apply(revocation);
    });
  }

  apply(revocation: SessionRevocation): void {
    const floors = revocation.userId === null ? this.workspaceFloors : this.userFloors;
    const key = revocation.userId ?? revocation.workspaceId;
    if ((floors.get(key) ?? 0) >= revocation.belowVersion) return;
    floors.set(key, revocation.belowVersion);
    for (const listener of this.listeners) listener();
  }

  isRevoked(viewer: Viewer): boolean {
    return (
      viewer.tokenVersion < (this.workspaceFloors.get(viewer.workspaceId) ?? 0) ||
      viewer.userTokenVersion < (this.userFloors.get(viewer.userId) ?? 0)
    );
  }

  /** Called after each new revocation; check the viewers you hold with isRevoked. */
  onRevoked(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
