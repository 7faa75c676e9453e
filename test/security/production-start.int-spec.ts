import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger';
import { startUnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import { waitFor } from '../support/polling';
import { startTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { stopProcess } from '../support/worker-process';

// Issue 18, item 8: production must not start with the insecure defaults (webhooks accepted from
// anyone, the sandbox with a known admin key, anonymous /metrics) unless told to, per case.
// The real entry point runs as a separate process, as it would be deployed.

const root = join(__dirname, '../..');
const entry = ['-r', '@swc-node/register', 'src/main.ts'];
const SECRETS = {
  JWT_SECRET: 'production-jwt-secret-0123456789abcdefghij',
  UNIPILE_WEBHOOK_SECRET: 'production-webhook-secret-0123',
  METRICS_TOKEN: 'production-metrics-token-0123',
};
const production = { PATH: process.env.PATH, NODE_ENV: 'production', ...SECRETS };
const REAL_UNIPILE = { UNIPILE_DSN: 'https://api1.unipile.com:13111', UNIPILE_API_KEY: 'unipile-access-token' };

/** The key a seed-derived sandbox admin key would be: what anyone who reads the source can compute. */
async function seedDerivedAdminKey(seed = 'sandbox'): Promise<string> {
  const sandbox = await startUnipileSandbox({ seed, profiles: 1 });
  await sandbox.stop();
  return sandbox.adminKey;
}

describe('production start with insecure settings', () => {
  it.each([
    {
      case: 'UNIPILE_DSN unset (the sandbox would run)',
      env: { UNIPILE_DSN: undefined, UNIPILE_API_KEY: undefined },
      line: 'UNIPILE_DSN: is required when NODE_ENV=production (unset, the built-in sandbox runs instead of Unipile; ALLOW_SANDBOX_IN_PRODUCTION=true to mean it)',
    },
    {
      case: 'a real UNIPILE_DSN without UNIPILE_WEBHOOK_SECRET (webhooks from anyone)',
      env: { UNIPILE_WEBHOOK_SECRET: undefined },
      line: 'UNIPILE_WEBHOOK_SECRET: is required when NODE_ENV=production (unset, anyone can post webhooks; ALLOW_UNAUTHENTICATED_WEBHOOKS=true to mean it)',
    },
    {
      case: 'METRICS_TOKEN unset (anonymous /metrics)',
      env: { METRICS_TOKEN: undefined },
      line: 'METRICS_TOKEN: is required when NODE_ENV=production (unset, /metrics is open to anyone; METRICS_PUBLIC=true to mean it)',
    },
  ])('should exit 1 with one line naming the variable when $case', ({ env, line }) => {
    const result = spawnSync(process.execPath, entry, {
      cwd: root,
      env: definedOnly({ ...production, ...REAL_UNIPILE, ...env }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['Invalid configuration:', line]);
    expect(result.stdout).toBe('');
  }, 90_000);

  describe('with every opt-out given', () => {
    let db: TestDatabase;
    let dataDir: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      db = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'outreach-production-'));
    });
    afterAll(async () => {
      if (child) await stopProcess(child);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('should start, say what is open, serve /metrics anonymously, and keep the sandbox admin key secret', async () => {
      child = spawn(process.execPath, entry, {
        cwd: root,
        env: definedOnly({
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          JWT_SECRET: SECRETS.JWT_SECRET,
          ALLOW_SANDBOX_IN_PRODUCTION: 'true',
          ALLOW_UNAUTHENTICATED_WEBHOOKS: 'true',
          METRICS_PUBLIC: 'true',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'info',
          DATABASE_URL: db.url,
          DATA_DIR: dataDir,
          ADMIN_EMAIL: 'ops@production.example',
          ADMIN_PASSWORD: 'a-long-production-password',
          SANDBOX_PROFILES: '5',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += String(d)));
      child.stderr!.on('data', (d) => (stderr += String(d)));
      const lines = () =>
        stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
      const listening = await waitFor(
        () => {
          if (child!.exitCode !== null) throw new Error(`the service exited ${child!.exitCode}: ${stderr}`);
          return lines().find((l) => l.msg === 'GraphQL API listening');
        },
        170_000,
        'the service to listen',
      );
      const baseUrl = listening.url!.replace(/\/graphql$/, '');

      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/metrics`)).status).toBe(200);
      const warnings = lines()
        .filter((l) => l.level === 40)
        .map((l) => l.msg);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ALLOW_SANDBOX_IN_PRODUCTION=true/),
          expect.stringMatching(/^ALLOW_UNAUTHENTICATED_WEBHOOKS=true/),
          expect.stringMatching(/^METRICS_PUBLIC=true/),
        ]),
      );

      // The sandbox's admin key is random per start, and in production printed nowhere.
      const sandboxUrl = lines().find((l) => l.msg.startsWith('UNIPILE_DSN is not set'))!.url!;
      const guessed = await fetch(`${sandboxUrl}/_sandbox/invitations`, { headers: { 'x-sandbox-admin-key': await seedDerivedAdminKey() } });
      expect(guessed.status).toBe(401);
      expect(stdout).not.toContain('x-sandbox-admin-key');
      expect(stdout).not.toContain('sandbox_admin_');
    }, 200_000);
  });
});

describe('the sandbox admin key outside production', () => {
  it('should be random per start, printed to the console only, and the seed-derived key refused', async () => {
    const printed: string[] = [];
    const logged: string[] = [];
    const t = await startTestApp(
      { NODE_ENV: 'development' },
      { print: (text) => void printed.push(text), log: createLogger('trace', { write: (line: string) => void logged.push(line) }) },
    );
    try {
      const key = /x-sandbox-admin-key: (\S+)\)/.exec(printed.join(''))?.[1];
      expect(key).toBe(t.app.sandbox!.adminKey);
      const derived = await seedDerivedAdminKey();
      expect(key).not.toBe(derived);
      const inspect = (adminKey: string) => fetch(`${t.app.sandbox!.url}/_sandbox/invitations`, { headers: { 'x-sandbox-admin-key': adminKey } });
      expect((await inspect(derived)).status).toBe(401);
      expect((await inspect(key!)).status).toBe(200);
      expect(logged.join('')).not.toContain(key!);
    } finally {
      await t.stop();
    }
  });
});

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
