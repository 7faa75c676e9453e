import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from './test-app';
import { TEST_JWT_SECRET } from './test-app';

const ROOT = join(__dirname, '../..');

/**
 * Starts `src/main.ts` as a separate worker process (ROLE=worker) on the test app's database and
 * Unipile sandbox: a real second process that can be killed with SIGKILL.
 */
export function spawnWorker(t: TestApp, env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      ROLE: 'worker',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: (t.app.dataSource.options as { url: string }).url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'outreach-worker-')),
      JWT_SECRET: TEST_JWT_SECRET,
      UNIPILE_DSN: t.app.sandbox!.url,
      UNIPILE_API_KEY: t.app.sandbox!.apiKey,
      SCAN_INTERVAL: '1s',
      MIN_ACTION_GAP: '1s',
      ACTION_JITTER: '1s',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  return Object.assign(child, { output: () => output });
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
