import { LeadEventType } from '../leads';

/**
 * What analytics count, written once (README "Analytics" says the same in prose).
 *
 * The database holds the executable definition, analytics_metric(type, meta) in the Analytics
 * migration, so the trigger, the rebuild and every query agree; this file mirrors it for the code
 * and the tests (test/analytics checks the two agree for every event type).
 *
 * - invites sent        = connection_request_sent events
 * - acceptances         = connection_accepted + connection_accepted_historical events
 * - messages sent       = message_sent events
 * - replies             = message_received events, except those whose meta.is_sender is true (or 1):
 *                         the account owner's own messages never count, whoever recorded them
 * - invited / accepted / messaged / replied leads = leads with at least one such event
 * - acceptance rate     = invited leads with an acceptance / invited leads
 * - reply rate          = messaged leads with a reply / messaged leads (a reply to the invitation
 *                         alone, with no message sent, counts as a reply but not in the rate)
 * - reply rate over the last N days = the same over the leads first messaged in those days
 *                         (their replies counted whenever they came)
 * - days are UTC days unless a time zone is passed; windows of N days end with today
 * - time to first reply = first reply − first outbound action (invite or message), and
 *                         first reply − first acceptance, over leads whose reply came after it
 * - reply step          = the step_index of the last invite or message at or before the first reply
 */
export const Metric = {
  /** Any event at all (only in the campaign-day rollup: activity and the latest event time). */
  ANY: 0,
  INVITE: 1,
  ACCEPTANCE: 2,
  MESSAGE: 3,
  REPLY: 4,
} as const;
export type Metric = (typeof Metric)[keyof typeof Metric];

/** Event types per counted metric (replies also need the is_sender check below). */
export const METRIC_EVENT_TYPES: Record<Exclude<Metric, 0>, readonly LeadEventType[]> = {
  [Metric.INVITE]: [LeadEventType.CONNECTION_REQUEST_SENT],
  [Metric.ACCEPTANCE]: [LeadEventType.CONNECTION_ACCEPTED, LeadEventType.CONNECTION_ACCEPTED_HISTORICAL],
  [Metric.MESSAGE]: [LeadEventType.MESSAGE_SENT],
  [Metric.REPLY]: [LeadEventType.MESSAGE_RECEIVED],
};

/** True when an event's meta says the account owner sent it (its own message, not a reply). */
export function isOwnMessage(meta: Record<string, unknown>): boolean {
  return meta.is_sender === true || meta.is_sender === 1 || meta.is_sender === 'true' || meta.is_sender === '1';
}

/** The metric an event counts as, or null: the TypeScript mirror of SQL analytics_metric(). */
export function metricOf(type: LeadEventType, meta: Record<string, unknown> = {}): Exclude<Metric, 0> | null {
  for (const [metric, types] of Object.entries(METRIC_EVENT_TYPES)) {
    if (!types.includes(type)) continue;
    const m = Number(metric) as Exclude<Metric, 0>;
    return m === Metric.REPLY && isOwnMessage(meta) ? null : m;
  }
  return null;
}

/** Share of a denominator, or null when there is nothing to divide by. */
export const rate = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null);

// Bounds of the query arguments.
export const MAX_DAYS = 366;
/** Rollup buckets are 15 minutes: local days and hours are exact in zones whose offsets are multiples of it. */
export const BUCKET_MINUTES = 15;
