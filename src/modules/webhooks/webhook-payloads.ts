import { createHash } from 'node:crypto';
import { z } from 'zod';
import { accountStatusWebhookSchema, messagingWebhookSchema, newRelationWebhookSchema } from '../unipile';
import type { WebhookSource } from './webhook-event.entity';

// What a delivery is, told from its body (Unipile's shapes, see unipile-api.md §6.4–6.6), and the
// key that makes its retries and duplicates one event.

/** Messaging events other than message_received (read, reaction, edited, deleted, delivered): stored, never acted on. */
const otherMessagingSchema = z.object({
  event: z.string().startsWith('message_'),
  account_id: z.string(),
  message_id: z.string().nullish(),
});

export type ClassifiedWebhook = {
  source: WebhookSource;
  event: string;
  unipileAccountId: string;
  /** Unique per event; null for account status, whose repeats are told apart by order (see WebhookIngestService). */
  providerKey: string | null;
  payload: Record<string, unknown>;
  /** The body as received: stored as is (Postgres parses it into jsonb), not serialized again. */
  raw: string;
};

export type WebhookParseError = { code: 'MALFORMED_JSON' | 'INVALID_PAYLOAD'; message: string };

export type ParsedWebhook = { ok: true; webhook: ClassifiedWebhook } | { ok: false; error: WebhookParseError };

/** Parses a raw body (whatever its content type) and validates it against the shape its content announces. */
export function parseWebhook(raw: string | undefined): ParsedWebhook {
  let body: unknown;
  const text = raw ?? '';
  try {
    body = JSON.parse(text);
  } catch {
    return invalid('MALFORMED_JSON', 'The body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return invalid('INVALID_PAYLOAD', 'The body is not a JSON object');
  const payload = body as Record<string, unknown>;

  if ('AccountStatus' in payload) {
    const parsed = accountStatusWebhookSchema.safeParse(payload);
    if (!parsed.success) return invalid('INVALID_PAYLOAD', issues(parsed.error));
    const { account_id, message } = parsed.data.AccountStatus;
    return ok(text, { source: 'account_status', event: message, unipileAccountId: account_id, providerKey: null, payload });
  }
  if (payload.event === 'new_relation') {
    const parsed = newRelationWebhookSchema.safeParse(payload);
    if (!parsed.success) return invalid('INVALID_PAYLOAD', issues(parsed.error));
    const { account_id, user_provider_id } = parsed.data;
    // No event id or timestamp in this payload: one relation of one account is one event.
    return ok(text, { source: 'users', event: 'new_relation', unipileAccountId: account_id, providerKey: `users:new_relation:${account_id}:${user_provider_id}`, payload });
  }
  if (payload.event === 'message_received') {
    const parsed = messagingWebhookSchema.safeParse(payload);
    if (!parsed.success) return invalid('INVALID_PAYLOAD', issues(parsed.error));
    const { account_id, message_id } = parsed.data;
    return ok(text, { source: 'messaging', event: 'message_received', unipileAccountId: account_id, providerKey: `messaging:message_received:${message_id}`, payload });
  }
  const other = otherMessagingSchema.safeParse(payload);
  if (!other.success) return invalid('INVALID_PAYLOAD', `Not a Unipile messaging, users or account status event: ${issues(other.error)}`);
  const { event, account_id, message_id } = other.data;
  // A message may be read, reacted to or edited many times: the body tells those apart, retries repeat it.
  return ok(text, {
    source: 'messaging',
    event,
    unipileAccountId: account_id,
    providerKey: `messaging:${event}:${message_id ?? ''}:${sha256(JSON.stringify(payload))}`,
    payload,
  });
}

const ok = (raw: string, webhook: Omit<ClassifiedWebhook, 'raw'>): ParsedWebhook => ({ ok: true, webhook: { ...webhook, raw } });
const invalid = (code: WebhookParseError['code'], message: string): ParsedWebhook => ({ ok: false, error: { code, message } });
const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
