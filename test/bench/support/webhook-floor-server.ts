import { createServer } from 'node:http';
import { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { systemClock } from '../../../src/core/clock';
import { createLogger } from '../../../src/core/logger';
import { WebhookEventRepository } from '../../../src/modules/webhooks/webhook-event.repository';
import { WebhookIngestService } from '../../../src/modules/webhooks/webhook-ingest.service';

// The webhook ingest floor, in a process of its own like the real server: bare node:http, a pool
// of 10 like the app's, and per request only what cannot be skipped: read the body, find its
// message id, and store the row through the service's own group insert (WebhookIngestService over
// WebhookEventRepository: concurrent deliveries share one INSERT … ON CONFLICT (provider_key) DO
// NOTHING, at most 2 statements in flight), so the floor batches exactly as the service does. Left out: the secret
// check, validation, TypeORM (node-postgres directly), processing (a queue that does nothing),
// metrics and logging.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const db = { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows };
const ingest = new WebhookIngestService(
  db as unknown as DataSource,
  new WebhookEventRepository(db as unknown as EntityManager),
  { enqueue: async () => undefined },
  systemClock,
  createLogger('silent'),
);

const http = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const payload = JSON.parse(raw) as { account_id: string; message_id: string };
    ingest
      .ingest(
        {
          source: 'messaging',
          event: 'message_received',
          unipileAccountId: payload.account_id,
          providerKey: `messaging:message_received:${payload.message_id}`,
          payload,
          raw,
        },
        'messaging',
      )
      .then(
        ({ eventId }) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: eventId ? 'stored' : 'duplicate', eventId })),
        () => res.writeHead(500).end(),
      );
  });
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`{"url":"http://127.0.0.1:${(http.address() as { port: number }).port}"}\n`);
});
