import type { FastifyInstance } from 'fastify';
import { apiRoute, bodyOf, fieldString, queryOf, type SandboxContext } from './sandbox-http';
import { pageOf, readPage } from './sandbox-pagination';
import { sentInvitationView } from './sandbox-views';

export function registerInvitationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // Documented examples show 200 for this POST (only POST /chats is documented as 201).
  apiRoute(app, ctx, 'POST', '/api/v1/users/invite', (request) => {
    const body = bodyOf(request);
    const { invitation, usage } = ctx.sim.sendInvitation(fieldString(body.account_id), fieldString(body.provider_id), fieldString(body.message));
    return { body: { object: 'UserInvitationSent', invitation_id: invitation.id, ...(usage !== undefined ? { usage } : {}) } };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/users/invite/sent', (request) => {
    const window = readPage(queryOf(request), { defaultLimit: 10, maxLimit: 100 }, ['account_id']);
    const account = ctx.sim.requireAccount(window.filters.account_id);
    const inviter = ctx.store.owner(account);
    const now = ctx.clock.now();
    const items = ctx.store
      .invitationsOf(account.id)
      .filter((i) => i.status === 'PENDING')
      .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())
      .flatMap((i) => {
        const invitee = ctx.store.profiles.get(i.providerId);
        return invitee ? [sentInvitationView(i, invitee, inviter, now)] : [];
      });
    return { body: pageOf('InvitationList', items, window) };
  });

  apiRoute(app, ctx, 'DELETE', '/api/v1/users/invite/sent/:invitation_id', (request) => {
    const { invitation_id } = request.params as { invitation_id: string };
    ctx.sim.cancelInvitation(queryOf(request).account_id, invitation_id);
    return { body: { object: 'InvitationCanceled' } };
  });
}
