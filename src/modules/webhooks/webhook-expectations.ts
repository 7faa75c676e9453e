import type { CreateWebhookInput, UnipileWebhook } from '../unipile';
import type { WebhookSource } from './webhook-event.entity';
import { WEBHOOK_SECRET_HEADER } from './webhook-secret';

// What "our webhooks, correctly registered" means: one per source, on its own route, every
// account, enabled, JSON, with the secret header and (messaging) the standard events.

export const MANAGED_SOURCES: readonly WebhookSource[] = ['messaging', 'users', 'account_status'];
export const MESSAGING_EVENTS = ['message_received', 'message_read', 'message_reaction', 'message_edited', 'message_deleted'];
const NAME_PREFIX = 'linkedin-outreach-';
const ROUTE_PATH = '/api/webhooks/unipile/';
const ROUTE_OF: Record<WebhookSource, string> = { messaging: 'messaging', users: 'users', account_status: 'account-status' };

export type WebhookTarget = { publicUrl: string; secret?: string };

export function expectedWebhook(source: WebhookSource, target: WebhookTarget): CreateWebhookInput {
  return {
    requestUrl: `${target.publicUrl}${ROUTE_PATH}${ROUTE_OF[source]}`,
    source,
    name: `${NAME_PREFIX}${source}`,
    enabled: true,
    headers: [
      { key: 'Content-Type', value: 'application/json' },
      ...(target.secret !== undefined ? [{ key: WEBHOOK_SECRET_HEADER, value: target.secret }] : []),
    ],
    ...(source === 'messaging' ? { events: MESSAGING_EVENTS } : {}),
  };
}

/** Ours: pointing at our webhook routes, or named by us (a registration left on an old URL). */
export function isManaged(hook: UnipileWebhook, target: WebhookTarget): boolean {
  return hook.request_url.startsWith(`${target.publicUrl}${ROUTE_PATH}`) || (hook.name ?? '').startsWith(NAME_PREFIX);
}

/** The source of a registration; Unipile's list may omit it, then the events and the URL tell. */
export function sourceOf(hook: UnipileWebhook): WebhookSource | undefined {
  if (hook.source && (MANAGED_SOURCES as readonly string[]).includes(hook.source)) return hook.source as WebhookSource;
  if (hook.events?.includes('new_relation')) return 'users';
  if (hook.events?.some((e) => e.startsWith('message_'))) return 'messaging';
  return undefined;
}

/** Why a managed registration does not do its job (empty: it does). */
export function webhookProblems(hook: UnipileWebhook, target: WebhookTarget): string[] {
  const source = sourceOf(hook);
  if (!source) return ['unknown source'];
  const expected = expectedWebhook(source, target);
  const problems: string[] = [];
  if (hook.request_url !== expected.requestUrl) problems.push(`request_url is ${hook.request_url}, expected ${expected.requestUrl}`);
  if (!hook.enabled) problems.push('disabled');
  if (hook.account_ids.length > 0) problems.push('limited to some accounts');
  const missing = (expected.events ?? []).filter((e) => !(hook.events ?? []).includes(e));
  if (missing.length > 0) problems.push(`missing events ${missing.join(', ')}`);
  const header = (key: string) => hook.headers.find((h) => h.key.toLowerCase() === key.toLowerCase())?.value;
  if (target.secret !== undefined && header(WEBHOOK_SECRET_HEADER) !== target.secret) problems.push(`no valid ${WEBHOOK_SECRET_HEADER} header`);
  if (!header('Content-Type')?.includes('application/json')) problems.push('no JSON content type');
  return problems;
}
