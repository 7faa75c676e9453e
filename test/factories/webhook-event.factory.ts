import type { DataSource } from 'typeorm';
import { WebhookEventRepository } from '../../src/modules/webhooks/webhook-event.repository';

// Stored webhook deliveries, written with the statements ingest and processing use.

/** A delivery: a message_received on the messaging route unless told otherwise. */
export type StoredWebhook = {
  providerKey: string;
  source?: string;
  event?: string;
  unipileAccountId: string;
  route?: string;
  payload: unknown;
  receivedAt: Date;
};

/** A delivery stored by ingest and never processed (its process died first); returns its id. */
export async function storeWebhookEvent(ds: DataSource, w: StoredWebhook): Promise<string> {
  const { source = 'messaging', event = 'message_received', route = 'messaging' } = w;
  const ids = await new WebhookEventRepository(ds.manager).insertMany([
    [w.providerKey, source, event, w.unipileAccountId, route, JSON.stringify(w.payload), w.receivedAt],
  ]);
  const id = ids.get(w.providerKey);
  if (id === undefined) throw new Error(`a webhook event ${w.providerKey} is stored already`);
  return id;
}

/** A stored delivery whose processing failed `attempts` times with `error`; returns its id. */
export async function storeFailedWebhookEvent(ds: DataSource, w: StoredWebhook, attempts: number, error: string): Promise<string> {
  const id = await storeWebhookEvent(ds, w);
  const events = new WebhookEventRepository(ds.manager);
  for (let i = 0; i < attempts; i++) await events.recordFailedAttempt(id, error);
  return id;
}
