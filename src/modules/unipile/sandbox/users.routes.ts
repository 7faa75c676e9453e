import type { FastifyInstance } from 'fastify';
import { apiRoute, queryOf, type SandboxContext } from './sandbox-http';
import { pageOf, readPage } from './sandbox-pagination';
import { fullName, ownProfileView, profileView, relationView } from './sandbox-views';

export function registerUserRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(app, ctx, 'GET', '/api/v1/users/me', (request) => {
    const account = ctx.sim.requireAccount(queryOf(request).account_id);
    return { body: ownProfileView(ctx.store.owner(account)) };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/users/relations', (request) => {
    const window = readPage(queryOf(request), { defaultLimit: 100, maxLimit: 1000 }, ['account_id', 'filter']);
    const account = ctx.sim.requireAccount(window.filters.account_id);
    const filter = window.filters.filter?.toLowerCase();
    const items = ctx.store
      .relationsOf(account.id)
      .map((r) => ({ relation: r, profile: ctx.store.profiles.get(r.providerId) }))
      .filter((x) => x.profile && (!filter || fullName(x.profile).toLowerCase().includes(filter)))
      .flatMap((x) => (x.profile ? [relationView(x.relation, x.profile)] : []));
    return { body: pageOf('UserRelationsList', items, window) };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/users/:identifier', (request) => {
    const { identifier } = request.params as { identifier: string };
    const { account, profile } = ctx.sim.viewProfile(queryOf(request).account_id, identifier);
    return { body: profileView(profile, account, ctx.store) };
  });
}
