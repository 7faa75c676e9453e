import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sandboxErrors } from './sandbox-errors';
import { apiRoute, bodyOf, queryOf, type SandboxContext } from './sandbox-http';
import { GENERIC_BOUNDS, pageOf, readPage } from './sandbox-pagination';
import type { SandboxWebhook } from './sandbox-store';
import { webhookView } from './sandbox-views';

const MESSAGING_EVENTS = ['message_received', 'message_read', 'message_reaction', 'message_edited', 'message_deleted', 'message_delivered'] as const;

// The sources this LinkedIn-only sandbox can feed; email and calendar sources are refused.
const createWebhookBody = z.object({
  request_url: z.url(),
  source: z.enum(['messaging', 'users', 'account_status']),
  name: z.string().optional(),
  format: z.enum(['json', 'form']).default('json'),
  account_ids: z.array(z.string()).optional(),
  enabled: z.boolean().default(true),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).default([]),
  events: z.array(z.enum(MESSAGING_EVENTS)).optional(),
  data: z.array(z.object({ name: z.string(), key: z.string() })).optional(),
});

export function registerWebhookRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(app, ctx, 'POST', '/api/v1/webhooks', (request) => {
    const parsed = createWebhookBody.safeParse(bodyOf(request));
    if (!parsed.success) {
      throw sandboxErrors.invalidParameters(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const input = parsed.data;
    for (const id of input.account_ids ?? []) ctx.sim.requireAccount(id);
    const hook: SandboxWebhook = {
      id: ctx.sim.newId(),
      requestUrl: input.request_url,
      source: input.source,
      name: input.name ?? '',
      format: input.format,
      accountIds: input.account_ids && input.account_ids.length > 0 ? input.account_ids : null,
      enabled: input.enabled,
      headers: input.headers,
      events: input.source === 'messaging' ? (input.events ?? ['message_received']) : input.source === 'users' ? ['new_relation'] : [],
      ...(input.data ? { data: input.data } : {}),
    };
    ctx.store.webhooks.set(hook.id, hook);
    return { body: { object: 'WebhookCreated', webhook_id: hook.id } };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/webhooks', (request) => {
    const window = readPage(queryOf(request), GENERIC_BOUNDS, []);
    const items = [...ctx.store.webhooks.values()].map((h) => webhookView(h, ctx.store));
    return { body: pageOf('WebhookList', items, window) };
  });

  apiRoute(app, ctx, 'DELETE', '/api/v1/webhooks/:webhook_id', (request) => {
    const { webhook_id } = request.params as { webhook_id: string };
    if (!ctx.store.webhooks.delete(webhook_id)) throw sandboxErrors.notFound(`Webhook ${webhook_id}`);
    return { body: { object: 'WebhookDeleted' } };
  });
}
