import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MeDocument } from '../graphql/generated';
import { gqlOk } from '../support/graphql-client';
import { loginToken } from '../support/session';

// The newcomer's path: no DATABASE_URL, no ADMIN_ variables, nothing but a data directory.
describe('start with zero services', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start() {
    const lines: Array<{ msg: string; dataDir?: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    let printed = '';
    const config = loadConfig({ NODE_ENV: 'development', PORT: '0', DATA_DIR: dataDir });
    const app = await startApp(config, { log: pino({ level: 'info' }, sink), print: (text) => (printed += text), jobs: { lockLifetimeMs: 1_500 } });
    return { app, lines, printed, graphqlUrl: `${app.url}/graphql` };
  }

  it('should run on embedded Postgres under DATA_DIR, print a working admin login once, and keep data across restarts', async () => {
    const first = await start();
    try {
      expect(first.lines).toContainEqual(
        expect.objectContaining({ msg: 'DATABASE_URL is not set: using embedded Postgres (PGlite)', dataDir: join(dataDir, 'pglite') }),
      );
      const email = /email:\s+(\S+)/.exec(first.printed)?.[1];
      const password = /password:\s+(\S+)/.exec(first.printed)?.[1];
      expect(email).toBe('admin@example.com');
      expect(password).toMatch(/^\S{16,}$/);
      const token = await loginToken(first.graphqlUrl, email!, password!);
      expect((await gqlOk(first.graphqlUrl, MeDocument, {}, token)).me.role).toBe('ADMIN');
      expect(JSON.stringify(first.lines)).not.toContain(password!);

      await first.app.stop();
      const second = await start();
      try {
        expect(second.printed).not.toContain('First start');
        const again = await loginToken(second.graphqlUrl, email!, password!);
        expect((await gqlOk(second.graphqlUrl, MeDocument, {}, again)).me.email).toBe(email);
      } finally {
        await second.app.stop();
      }
    } finally {
      await first.app.stop();
    }
  }, 60_000);
});
