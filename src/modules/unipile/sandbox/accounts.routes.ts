import type { FastifyInstance } from 'fastify';
import { sandboxErrors } from './sandbox-errors';
import { apiRoute, queryOf, type SandboxContext } from './sandbox-http';
import { GENERIC_BOUNDS, pageOf, readPage } from './sandbox-pagination';
import { accountView, statusCounts } from './sandbox-views';

export function registerAccountRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(app, ctx, 'GET', '/api/v1/accounts', (request) => {
    const window = readPage(queryOf(request), GENERIC_BOUNDS, []);
    const accounts = [...ctx.store.accounts.values()];
    const page = pageOf('AccountList', accounts.map((a) => accountView(a, ctx.store)), window);
    return { body: { ...page, total_count: accounts.length, status_counts: statusCounts(accounts) } };
  });

  apiRoute(app, ctx, 'GET', '/api/v1/accounts/:account_id', (request) => {
    const { account_id } = request.params as { account_id: string };
    const account = ctx.store.accounts.get(account_id);
    if (!account) throw sandboxErrors.notFound(`Account ${account_id}`);
    return { body: accountView(account, ctx.store) };
  });
}
