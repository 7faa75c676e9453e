import { InputError } from '../../core/errors';
import type { LiveEvent, LiveEventFeed, LiveTopic } from '../../core/pubsub/live-event-feed';
import type { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import { liveIterator } from '../../core/pubsub/live-subscription';
import type { AnalyticsService, LeadStatusCounts } from '../analytics';
import type { Viewer } from '../../core/graphql/viewer';

export type LiveFilter = { topic: LiveTopic; campaignId?: string | null; accountId?: string | null; jobId?: string | null };

const MAX_CATCH_UP = 1_000;

/** The subscriber's side of live events: workspace isolation, filters, catch-up, campaign counters. */
export class LiveService {
  private readonly counters = new Map<string, Promise<LeadStatusCounts>>();

  constructor(
    private readonly events: Pick<LiveEventRepository, 'workspaceAfter'>,
    private readonly feed: LiveEventFeed,
    private readonly analytics: AnalyticsService,
  ) {}

  /** Live events of the viewer's workspace that match, after `after` first when given. */
  stream(viewer: Viewer, filter: LiveFilter, after?: string | null): AsyncIterableIterator<LiveEvent> {
    const afterId = after === undefined || after === null ? undefined : parseEventId(after);
    const matches = (e: LiveEvent) =>
      e.workspaceId === viewer.workspaceId &&
      e.topic === filter.topic &&
      (!filter.campaignId || e.campaignId === filter.campaignId) &&
      (!filter.accountId || e.accountId === filter.accountId) &&
      (!filter.jobId || e.payload.jobId === filter.jobId);
    const replay = afterId === undefined ? undefined : async () => (await this.since(viewer, afterId, [filter.topic], MAX_CATCH_UP)).filter(matches);
    return liveIterator(this.feed, matches, replay, viewer.workspaceId);
  }

  /** The log after an id, oldest first (what a reconnecting client missed). */
  async catchUp(viewer: Viewer, after: string, topics: LiveTopic[] | null | undefined, first: number): Promise<LiveEvent[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_CATCH_UP) throw new InputError(`first must be from 1 to ${MAX_CATCH_UP}`);
    return this.since(viewer, parseEventId(after), topics ?? null, first);
  }

  /** The campaign's counters as of a live event: computed once per event, however many subscribers. */
  countersAt(viewer: Viewer, campaignId: string, eventId: string): Promise<LeadStatusCounts> {
    const key = `${campaignId}:${eventId}`;
    let counts = this.counters.get(key);
    if (!counts) {
      counts = this.analytics.automationStatus(viewer, campaignId).then((s) => s.counts);
      this.counters.set(key, counts);
      setTimeout(() => this.counters.delete(key), 10_000).unref();
    }
    return counts;
  }

  private since(viewer: Viewer, after: bigint, topics: LiveTopic[] | null, first: number): Promise<LiveEvent[]> {
    return this.events.workspaceAfter(viewer.workspaceId, after, topics, first);
  }
}

function parseEventId(value: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw new InputError('after must be a live event id');
  return BigInt(value);
}
