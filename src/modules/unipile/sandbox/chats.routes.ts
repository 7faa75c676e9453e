import type { FastifyInstance } from 'fastify';
import { SandboxHttpError, sandboxErrors } from './sandbox-errors';
import { apiRoute, bodyOf, fieldString, fieldStrings, queryOf, type SandboxContext } from './sandbox-http';
import { GENERIC_BOUNDS, pageOf, readPage } from './sandbox-pagination';
import type { SandboxChat, SandboxMessage } from './sandbox-store';
import { chatView, messageView } from './sandbox-views';

export function registerChatRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const viewMessage = (m: SandboxMessage, chat: SandboxChat) => messageView(m, chat, ctx.sim.attendeeId(m.accountId, m.senderProviderId));

  apiRoute(app, ctx, 'GET', '/api/v1/chats', (request) => {
    const window = readPage(queryOf(request), GENERIC_BOUNDS, ['account_id', 'before', 'after', 'unread']);
    const { account_id, before, after, unread } = window.filters;
    const accountIds = account_id ? fieldStrings(account_id) : null;
    for (const id of accountIds ?? []) ctx.sim.requireAccount(id);
    const items = ctx.store
      .chatsOf(accountIds)
      .filter((c) => inRange(c.lastActivityAt, before, after) && (unread !== 'true' || c.unreadCount > 0))
      .map(chatView);
    return { body: pageOf('ChatList', items, window) };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/chats/:chat_id', (request) => {
    const chat = requireChat(ctx, request.params, queryOf(request).account_id);
    const last = ctx.store.messagesOf(chat.id)[0];
    return { body: { ...chatView(chat), lastMessage: last ? viewMessage(last, chat) : null } };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/chats/:chat_id/messages', (request) => {
    const chat = requireChat(ctx, request.params, queryOf(request).account_id);
    const window = readPage(queryOf(request), GENERIC_BOUNDS, ['before', 'after', 'sender_id']);
    const { before, after, sender_id } = window.filters;
    const items = ctx.store
      .messagesOf(chat.id)
      .filter((m) => inRange(m.sentAt, before, after) && (!sender_id || m.senderProviderId === sender_id))
      .map((m) => viewMessage(m, chat));
    return { body: pageOf('MessageList', items, window) };
  });

  // Multipart as documented; JSON accepted too, since some clients send it.
  apiRoute(app, ctx, 'POST', '/api/v1/chats', (request) => {
    const body = bodyOf(request);
    const nested = typeof body.linkedin === 'object' && body.linkedin !== null ? (body.linkedin as Record<string, unknown>) : {};
    const api = fieldString(body['linkedin[api]']) ?? fieldString(nested.api) ?? 'classic';
    if (api !== 'classic') {
      throw new SandboxHttpError({ status: 403, type: 'errors/feature_not_subscribed', title: 'Feature not subscribed', detail: `The account has no ${api} subscription.` });
    }
    const inmail = (fieldString(body['linkedin[inmail]']) ?? fieldString(nested.inmail)) === 'true';
    const { chat, message } = ctx.sim.startChat(fieldString(body.account_id), fieldStrings(body.attendees_ids), fieldString(body.text), inmail);
    return { status: 201, body: { object: 'ChatStarted', chat_id: chat.id, message_id: message.id } };
  });

  apiRoute(app, ctx, 'POST', '/api/v1/chats/:chat_id/messages', (request) => {
    const { chat_id } = request.params as { chat_id: string };
    const body = bodyOf(request);
    const message = ctx.sim.sendMessage(chat_id, fieldString(body.text), fieldString(body.account_id));
    return { status: 201, body: { object: 'MessageSent', message_id: message.id } };
  });
}

function requireChat(ctx: SandboxContext, params: unknown, accountId: string | undefined): SandboxChat {
  const { chat_id } = params as { chat_id: string };
  const chat = ctx.store.findChat(chat_id, accountId);
  if (!chat) throw sandboxErrors.notFound(`Chat ${chat_id}`);
  return chat;
}

/** `before`/`after` are exclusive ISO 8601 bounds. */
function inRange(at: Date, before: string | undefined, after: string | undefined): boolean {
  const bound = (iso: string) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw sandboxErrors.invalidParameters(`${iso} is not an ISO 8601 date`);
    return ms;
  };
  return (!before || at.getTime() < bound(before)) && (!after || at.getTime() > bound(after));
}
