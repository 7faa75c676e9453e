import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../../core/clock';
import type { Logger } from '../../../core/logger';
import type { SandboxFaults } from './sandbox-faults';
import type { SandboxStore, SandboxWebhook } from './sandbox-store';

export type SandboxEvent = {
  source: SandboxWebhook['source'];
  event: string;
  accountId: string;
  payload: Record<string, unknown>;
};

export type DeliveryAttempt = { at: string; status?: number; error?: string };

export type DeliveryRecord = {
  id: number;
  webhookId: string;
  requestUrl: string;
  source: SandboxEvent['source'];
  event: string;
  accountId: string;
  body: Record<string, unknown>;
  attempts: DeliveryAttempt[];
  state: 'held' | 'pending' | 'delivered' | 'failed';
  duplicate: boolean;
  reordered: boolean;
};

export type WebhookDeliveryOptions = { retryDelaysMs: number[]; timeoutMs: number; reorderHoldMs: number };

/**
 * Delivers events to registered webhooks like Unipile: POST of the JSON body with the
 * registration's static headers (no content type unless registered), success only on exactly 200,
 * otherwise up to five retries with growing delays. First attempts to one webhook go out in event
 * order; retries run in the background. Retry delays are wall-clock transport timing, not
 * simulated time, so they stay short in tests whatever the sandbox clock does.
 */
export class WebhookDispatcher {
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly firstAttempts = new Map<string, Promise<void>>();
  private readonly held = new Map<string, { record: DeliveryRecord; timer: NodeJS.Timeout }>();
  private readonly stopping = new AbortController();
  private seq = 0;

  constructor(
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly clock: Clock,
    private readonly opts: WebhookDeliveryOptions,
    private readonly log?: Logger,
  ) {}

  emit(event: SandboxEvent): void {
    for (const hook of this.store.webhooks.values()) {
      if (!subscribed(hook, event)) continue;
      const record = this.record(hook, event);
      const fault = this.faults.forDelivery(event.event, hook.id);
      const previouslyHeld = this.held.get(hook.id);
      if (fault?.kind === 'webhook_reorder' && !previouslyHeld) {
        this.hold(hook, record);
        continue;
      }
      this.enqueue(hook, record);
      if (fault?.kind === 'webhook_duplicate') {
        const copy = this.record(hook, event);
        copy.body = record.body;
        copy.duplicate = true;
        this.enqueue(hook, copy);
      }
      if (previouslyHeld) this.release(hook.id); // the held one now arrives after a later event
    }
  }

  deliveries(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r, attempts: [...r.attempts] }));
  }

  /** Resolves once every delivery (held ones included) is delivered or has used up its retries. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0 || this.held.size > 0) {
      for (const hookId of [...this.held.keys()]) this.release(hookId);
      await Promise.allSettled([...this.inFlight]);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private record(hook: SandboxWebhook, event: SandboxEvent): DeliveryRecord {
    const record: DeliveryRecord = {
      id: ++this.seq,
      webhookId: hook.id,
      requestUrl: hook.requestUrl,
      source: event.source,
      event: event.event,
      accountId: event.accountId,
      body: shapeBody(hook, event),
      attempts: [],
      state: 'pending',
      duplicate: false,
      reordered: false,
    };
    this.records.push(record);
    return record;
  }

  private hold(hook: SandboxWebhook, record: DeliveryRecord): void {
    record.state = 'held';
    record.reordered = true;
    const timer = setTimeout(() => this.release(hook.id), this.opts.reorderHoldMs);
    timer.unref();
    this.held.set(hook.id, { record, timer });
  }

  private release(hookId: string): void {
    const entry = this.held.get(hookId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.held.delete(hookId);
    const hook = this.store.webhooks.get(hookId);
    if (!hook) return;
    entry.record.state = 'pending';
    this.enqueue(hook, entry.record);
  }

  private enqueue(hook: SandboxWebhook, record: DeliveryRecord): void {
    const previous = this.firstAttempts.get(hook.id) ?? Promise.resolve();
    const first = previous.then(() => this.attempt(hook, record));
    this.firstAttempts.set(
      hook.id,
      first.then(() => undefined),
    );
    const whole = first.then((ok) => (ok ? undefined : this.retry(hook, record)));
    this.inFlight.add(whole);
    void whole.finally(() => this.inFlight.delete(whole));
  }

  private async retry(hook: SandboxWebhook, record: DeliveryRecord): Promise<void> {
    for (const delayMs of this.opts.retryDelaysMs) {
      try {
        await sleep(delayMs, undefined, { signal: this.stopping.signal });
      } catch {
        return; // sandbox stopping
      }
      if (await this.attempt(hook, record)) return;
    }
    record.state = 'failed';
    this.log?.warn({ webhookId: hook.id, event: record.event, attempts: record.attempts.length }, 'sandbox webhook delivery gave up');
  }

  /** One POST; true only for HTTP 200, as Unipile counts it. */
  private async attempt(hook: SandboxWebhook, record: DeliveryRecord): Promise<boolean> {
    if (this.stopping.signal.aborted) return false;
    const attempt: DeliveryAttempt = { at: this.clock.now().toISOString() };
    record.attempts.push(attempt);
    try {
      const response = await fetch(hook.requestUrl, {
        method: 'POST',
        headers: Object.fromEntries(hook.headers.map((h) => [h.key, h.value])),
        // A byte body: fetch adds no content type of its own, as Unipile sends none unless registered.
        body: Buffer.from(JSON.stringify(record.body)),
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
      attempt.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      attempt.error = error instanceof Error ? error.name : 'Error';
    }
    const ok = attempt.status === 200;
    if (ok) record.state = 'delivered';
    return ok;
  }
}

function subscribed(hook: SandboxWebhook, event: SandboxEvent): boolean {
  if (!hook.enabled || hook.source !== event.source) return false;
  if (hook.accountIds && !hook.accountIds.includes(event.accountId)) return false;
  return event.source !== 'messaging' || hook.events.includes(event.event);
}

/** Adds `webhook_name` (not for account status), then applies the registration's key renaming. */
function shapeBody(hook: SandboxWebhook, event: SandboxEvent): Record<string, unknown> {
  const full = event.source === 'account_status' ? event.payload : { ...event.payload, webhook_name: hook.name };
  if (!hook.data || hook.data.length === 0) return full;
  return Object.fromEntries(hook.data.map(({ name, key }) => [name, full[key]]));
}
