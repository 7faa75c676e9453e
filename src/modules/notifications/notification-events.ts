import { NotificationEventType } from './notification-kinds';

/** A live_event row as the dispatcher reads it. */
export type LiveEventRow = {
  id: string;
  workspace_id: string;
  topic: string;
  campaign_id: string | null;
  account_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
};

// Topics worth a notification; everything else in live_event (lead status changes, job progress) is not.
export const NOTIFIABLE_TOPICS = ['REPLY_RECEIVED', 'ACCOUNT_STATUS_CHANGED', 'CAMPAIGN_COMPLETED'] as const;

/** Which notification a live event is, if any. */
export function notificationTypeOf(event: LiveEventRow): NotificationEventType | null {
  const p = event.payload;
  switch (event.topic) {
    case 'REPLY_RECEIVED':
      return NotificationEventType.REPLY_RECEIVED;
    case 'CAMPAIGN_COMPLETED':
      return NotificationEventType.CAMPAIGN_COMPLETED;
    case 'ACCOUNT_STATUS_CHANGED':
      if (p.change === 'CAP_REACHED') return NotificationEventType.CAP_REACHED;
      if (p.change === 'STATUS' && (p.status === 'DISCONNECTED' || p.status === 'RESTRICTED')) return NotificationEventType.ACCOUNT_DISCONNECTED;
      return null;
    default:
      return null;
  }
}

export type CursorState = { last: bigint; gapId: bigint | null; gapSince: Date | null };

/**
 * Where the dispatcher may resume after reading `seen` (ascending ids > state.last). Ids are
 * taken before commit, so a missing id may still arrive: the cursor waits at it, while the events
 * after it are read again (their deliveries already exist, so nothing is sent twice). After
 * `gapWaitMs` it is taken as rolled back and skipped, with the missing ids right after it.
 */
export function advanceCursor(state: CursorState, seen: bigint[], now: Date, gapWaitMs: number): CursorState {
  let last = state.last;
  for (const id of seen) {
    if (id <= last) continue;
    if (id > last + 1n) {
      const missing = last + 1n;
      const waitedEnough = state.gapId === missing && state.gapSince !== null && now.getTime() - state.gapSince.getTime() >= gapWaitMs;
      if (!waitedEnough) return { last, gapId: missing, gapSince: state.gapId === missing ? state.gapSince : now };
    }
    last = id;
  }
  return { last, gapId: null, gapSince: null };
}
