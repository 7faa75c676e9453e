import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

export type RelationsProxy = { url: string; close(): Promise<void> };

/**
 * A pass-through in front of the sandbox that answers relation lists the way LinkedIn often does
 * in production: without `public_identifier` (and so without a slug URL). Everything else is
 * forwarded unchanged, over HTTP, as the app would reach Unipile.
 */
export async function startRelationsProxy(target: string): Promise<RelationsProxy> {
  const server: Server = createServer((req, res) => {
    // A failed forward answers 502: the app's call gets an answer and no rejection goes unhandled.
    forward(target, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !['host', 'content-length', 'connection'].includes(e[0])),
  );
  const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
  let body = Buffer.from(await upstream.arrayBuffer());
  if (req.method === 'GET' && req.url?.startsWith('/api/v1/users/relations') && upstream.ok) {
    const page = JSON.parse(body.toString('utf8')) as { items: Array<Record<string, unknown>> };
    for (const item of page.items) Object.assign(item, { public_identifier: null, public_profile_url: null });
    body = Buffer.from(JSON.stringify(page));
  }
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
  res.end(body);
}
