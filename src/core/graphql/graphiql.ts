import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

// GraphiQL served from the npm packages themselves (no CDN: the machine may be offline).
// GraphiQL 3 is the last line that ships a browser bundle usable without a build step, and
// it bundles the graphql-ws client, so subscriptions work from the explorer.
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/assets/';

export function registerGraphiQLAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  app.get<{ Params: { name: string } }>(`${GRAPHIQL_ASSET_PREFIX}:name`, async (request, reply) => {
    const asset = ASSETS[request.params.name];
    if (!asset) return reply.code(404).send({ error: 'NOT_FOUND', message: 'No such asset' });
    let body = cache.get(asset.file);
    if (!body) cache.set(asset.file, (body = readFileSync(asset.file)));
    return reply.header('content-type', asset.type).header('cache-control', 'public, max-age=86400').send(body);
  });
}

/** True for a browser navigation (wants HTML) rather than a GraphQL GET request. */
export function wantsGraphiQL(accept: string | undefined, query: unknown): boolean {
  const hasQuery = typeof query === 'object' && query !== null && 'query' in query;
  return !hasQuery && (accept ?? '').includes('text/html');
}

/**
 * The explorer page. A sign-in bar exchanges email/password for a token through the `login`
 * mutation and sends it as the Authorization header (HTTP) and connectionParams (graphql-ws).
 * With requireAdmin (production) the explorer opens only for an ADMIN: the server enforces the
 * same rule by refusing introspection to everyone else.
 */
export function graphiqlPage(opts: { requireAdmin: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>LinkedIn outreach · GraphiQL</title>
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.css" />
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
    #bar { display: flex; gap: 8px; align-items: center; padding: 6px 12px; border-bottom: 1px solid #ddd; font-size: 14px; }
    #bar input { padding: 4px 6px; }
    #bar .error { color: #b00020; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
</head>
<body>
  <div id="bar"></div>
  <div id="graphiql"></div>
  <script src="${GRAPHIQL_ASSET_PREFIX}react.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react-dom.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}graphiql.js"></script>
  <script>
    const requireAdmin = ${JSON.stringify(opts.requireAdmin)};
    const store = window.sessionStorage;
    const bar = document.getElementById('bar');
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    const fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: wsUrl });

    function session() {
      try { return JSON.parse(store.getItem('outreach.session') || 'null'); } catch { return null; }
    }
    function render(message) {
      const s = session();
      bar.textContent = '';
      const title = document.createElement('strong');
      title.textContent = 'LinkedIn outreach API';
      bar.append(title);
      if (s) {
        const who = document.createElement('span');
        who.textContent = 'Signed in as ' + s.email + ' (' + s.role + ')';
        const out = document.createElement('button');
        out.textContent = 'Sign out';
        out.onclick = () => { store.removeItem('outreach.session'); render(); };
        bar.append(who, out);
      } else {
        const form = document.createElement('form');
        form.innerHTML = '<input name="email" type="email" placeholder="email" required /> ' +
          '<input name="password" type="password" placeholder="password" required /> <button>Sign in</button>';
        form.onsubmit = (e) => { e.preventDefault(); signIn(form.email.value, form.password.value); };
        bar.append(form);
      }
      if (message) {
        const m = document.createElement('span');
        m.className = 'error';
        m.textContent = message;
        bar.append(m);
      }
      if (requireAdmin && (!s || s.role !== 'ADMIN')) {
        root.render(React.createElement('p', { style: { padding: '1em' } }, 'Sign in as an admin to use the explorer.'));
        return;
      }
      const headers = s ? JSON.stringify({ Authorization: 'Bearer ' + s.token }, null, 2) : '';
      root.render(React.createElement(GraphiQL, { key: s ? s.token : 'anonymous', fetcher, headers, shouldPersistHeaders: false }));
    }
    async function signIn(email, password) {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token user { email role } } }',
          variables: { email, password },
        }),
      });
      const body = await res.json();
      if (body.errors) return render(body.errors[0].message);
      const { token, user } = body.data.login;
      store.setItem('outreach.session', JSON.stringify({ token, email: user.email, role: user.role }));
      render();
    }
    render();
  </script>
</body>
</html>`;
}
