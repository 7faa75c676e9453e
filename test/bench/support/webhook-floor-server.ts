import { createServer } from 'node:http';
import { Pool } from 'pg';

// The webhook ingest floor, in a process of its own like the real server: bare node:http, a pool
// of 10 like the app's, and per request only what cannot be skipped: read the body, find its
// message id, and the one idempotent INSERT of the same row into the same table (same ON CONFLICT).
// No secret check, no validation, no queueing, no logging.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const http = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { account_id: string; message_id: string };
    pool
      .query<{ id: string }>(
        `INSERT INTO webhook_event (provider_key, source, event, unipile_account_id, route, payload, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (provider_key) DO NOTHING
         RETURNING id`,
        [`messaging:message_received:${payload.message_id}`, 'messaging', 'message_received', payload.account_id, 'messaging', payload, new Date()],
      )
      .then(
        ({ rows }) => {
          const id = rows[0]?.id ?? null;
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: id ? 'stored' : 'duplicate', eventId: id }));
        },
        () => res.writeHead(500).end(),
      );
  });
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`{"url":"http://127.0.0.1:${(http.address() as { port: number }).port}"}\n`);
});
