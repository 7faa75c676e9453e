import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SandboxHttpError, sandboxErrors } from './sandbox-errors';
import type { FaultRule } from './sandbox-faults';
import { queryOf, type SandboxContext } from './sandbox-http';
import { invitationRecords, messageRecords } from './sandbox-inspection';
import { accountView, chatView } from './sandbox-views';

// The admin-only surface under /_sandbox (header x-sandbox-admin-key): inspect what was sent,
// build the world, force LinkedIn events, inject faults, move the clock. Not part of Unipile.

const frequency = { times: z.number().int().positive().optional(), rate: z.number().min(0).max(1).optional() };
const httpMatch = z.object({ method: z.string().optional(), route: z.string().optional(), accountId: z.string().optional() }).optional();
const hookMatch = z.object({ event: z.string().optional(), webhookId: z.string().optional() }).optional();
const httpFaults = {
  simple: z.object({ kind: z.enum(['rate_limited', 'server_error', 'unavailable', 'disconnected', 'timeout', 'hang']) }),
  slow: z.object({ kind: z.literal('slow'), delayMs: z.number().int().nonnegative() }),
  error: z.object({
    kind: z.literal('error'),
    status: z.number().int().min(400).max(599),
    type: z.string(),
    title: z.string().optional(),
    detail: z.string().optional(),
  }),
};
const weight = { weight: z.number().positive().optional() };
const mixedFault = z.discriminatedUnion('kind', [httpFaults.simple.extend(weight), httpFaults.slow.extend(weight), httpFaults.error.extend(weight)]);
const faultRuleSchema = z.discriminatedUnion('kind', [
  httpFaults.simple.extend({ match: httpMatch, ...frequency }),
  httpFaults.slow.extend({ match: httpMatch, ...frequency }),
  httpFaults.error.extend({ match: httpMatch, ...frequency }),
  z.object({ kind: z.literal('mix'), faults: z.array(mixedFault).min(1), match: httpMatch, ...frequency }),
  z.object({ kind: z.enum(['webhook_duplicate', 'webhook_reorder']), match: hookMatch, ...frequency }),
]);

const profileBody = z.object({
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  headline: z.string().optional(),
  location: z.string().optional(),
  publicIdentifier: z.string().optional(),
  isOpenProfile: z.boolean().optional(),
  acceptProbability: z.number().min(0).max(1).optional(),
  replyProbability: z.number().min(0).max(1).optional(),
});

type Handler = (request: FastifyRequest) => unknown;

export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, handler: Handler) =>
    app.route({
      method,
      url: `/_sandbox${url}`,
      handler: async (request, reply) => {
        try {
          return reply.send(await handler(request));
        } catch (error) {
          const body =
            error instanceof SandboxHttpError
              ? error.body
              : error instanceof z.ZodError
                ? sandboxErrors.invalidParameters(error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).body
                : error instanceof Error
                  ? { status: 409, type: 'errors/sandbox_conflict', title: error.message }
                  : sandboxErrors.unexpected().body;
          return reply.code(body.status).send(body);
        }
      },
    });
  const body = <T extends z.ZodType>(schema: T, request: FastifyRequest): z.output<T> => schema.parse(request.body ?? {});
  const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name];

  route('GET', '/state', () => ({
    now: ctx.clock.now().toISOString(),
    virtualClock: ctx.scheduler.isVirtual,
    accounts: [...ctx.store.accounts.values()].map((a) => accountView(a, ctx.store)),
    counts: {
      profiles: ctx.store.profiles.size,
      relations: ctx.store.relations.length,
      invitations: ctx.store.invitations.length,
      chats: ctx.store.chats.size,
      messages: ctx.store.messages.length,
      webhooks: ctx.store.webhooks.size,
    },
    pendingEvents: ctx.scheduler.pending().length,
  }));
  route('GET', '/requests', (request) => {
    const { method, route: r } = queryOf(request);
    return ctx.requests.filter((e) => (!method || e.method === method.toUpperCase()) && (!r || e.route === r));
  });
  route('GET', '/invitations', (request) => invitationRecords(ctx.store, queryOf(request).account_id));
  route('GET', '/messages', (request) => {
    const { account_id, direction } = queryOf(request);
    return messageRecords(ctx.store, { accountId: account_id, direction: direction === 'inbound' || direction === 'outbound' ? direction : undefined });
  });
  route('GET', '/chats', (request) => ctx.store.chatsOf(queryOf(request).account_id ? [queryOf(request).account_id ?? ''] : null).map(chatView));
  route('GET', '/deliveries', () => ctx.webhooks.deliveries());
  route('GET', '/events', () => ctx.scheduler.pending().map((e) => ({ ...e, dueAt: e.dueAt.toISOString() })));
  route('GET', '/prospects', () => ctx.sim.prospects());

  route('POST', '/accounts', (request) => {
    const input = body(z.object({ id: z.string().optional(), name: z.string().optional() }), request);
    return accountView(ctx.sim.createAccount(input), ctx.store);
  });
  route('POST', '/accounts/:account_id/status', (request) => {
    const { status } = body(z.object({ status: z.enum(['OK', 'CREDENTIALS', 'ERROR', 'STOPPED', 'CONNECTING']) }), request);
    return accountView(ctx.sim.setAccountStatus(param(request, 'account_id'), status), ctx.store);
  });
  route('POST', '/profiles', (request) => ctx.sim.createProfile(body(profileBody, request)));
  route('POST', '/relations', (request) => {
    const input = body(z.object({ accountId: z.string(), providerId: z.string() }), request);
    const r = ctx.sim.connect(input.accountId, input.providerId);
    return { ...r, createdAt: r.createdAt.toISOString() };
  });
  route('POST', '/invitations/:invitation_id/accept', (request) => {
    const inv = ctx.sim.acceptInvitation(param(request, 'invitation_id'));
    return { invitationId: inv.id, status: inv.status };
  });
  route('POST', '/chats/:chat_id/reply', (request) => {
    const { text } = body(z.object({ text: z.string().optional() }), request);
    const m = ctx.sim.reply(param(request, 'chat_id'), text);
    return { messageId: m.id, chatId: m.chatId, sentAt: m.sentAt.toISOString() };
  });

  route('GET', '/faults', () => ctx.faults.list());
  route('POST', '/faults', (request) => ({ id: ctx.faults.add(body(faultRuleSchema, request) as FaultRule) }));
  route('DELETE', '/faults', () => {
    ctx.faults.clear();
    return { cleared: true };
  });
  route('DELETE', '/faults/:fault_id', (request) => ({ removed: ctx.faults.remove(Number(param(request, 'fault_id'))) }));

  route('POST', '/clock/advance', (request) => {
    const { ms } = body(z.object({ ms: z.number().int().nonnegative() }), request);
    if (!ctx.scheduler.isVirtual) throw new SandboxHttpError({ status: 409, type: 'errors/sandbox_conflict', title: 'The sandbox runs on the system clock' });
    const ran = ctx.scheduler.advance(ms);
    return { now: ctx.clock.now().toISOString(), ran };
  });
  route('POST', '/run-due', () => ({ now: ctx.clock.now().toISOString(), ran: ctx.scheduler.runDue() }));
  route('POST', '/settle', async () => {
    await ctx.webhooks.settle();
    return { settled: true };
  });
}
