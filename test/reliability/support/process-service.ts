import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';
import { TEST_ADMIN, TEST_JWT_SECRET } from '../../support/test-app';

const ROOT = join(__dirname, '../../..');
const ENTRY = 'test/reliability/support/process-entry.ts';

export type ServiceBuild = { dir: string; entry: string; remove(): void };

/**
 * src/ and the entry compiled to JavaScript once per suite, with swc and the options Jest uses
 * (legacy decorators with metadata, CommonJS). Starting from JavaScript takes a second or two;
 * ts-node transpiles the whole tree again on every start (15–25 s on a loaded 2-core machine),
 * which would leave no time for 20 restarts.
 */
export async function buildService(): Promise<ServiceBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-service-build-'));
  const files = [...walk(join(ROOT, 'src')), join(ROOT, ENTRY)];
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          keepClassNames: true,
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: false,
      });
      const out = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
    }),
  );
  return { dir, entry: join(dir, ENTRY).replace(/\.ts$/, '.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

export type ServiceRole = 'all' | 'api' | 'worker';

export type ServiceProcess = ChildProcess & {
  name: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its HTTP base URL once it listens (API, or a worker's health and metrics). */
  ready: Promise<string>;
  /** The exit code or signal once it has exited, else undefined. */
  exited(): string | undefined;
  /** Sends a command (process-entry.ts) and resolves once the process has carried it out. */
  command(name: 'pause-jobs' | 'resume-jobs'): Promise<void>;
};

export type SpawnServiceOptions = {
  build: ServiceBuild;
  name: string;
  role: ServiceRole;
  databaseUrl: string;
  unipile: { url: string; apiKey: string };
  env?: Record<string, string>;
  /** Agenda tunables (process-entry.ts): a short lock lifetime so a killed process's jobs free up soon. */
  jobs?: { processEveryMs?: number; lockLifetimeMs?: number };
};

/**
 * A real service process (src/app.ts through process-entry.ts) of the given role, on the given
 * database and Unipile (sandbox): separate from the test process, so it can be SIGKILLed.
 */
export function spawnService(opts: SpawnServiceOptions): ServiceProcess {
  const dataDir = mkdtempSync(join(tmpdir(), `outreach-${opts.name}-`));
  const child = spawn(process.execPath, [opts.build.entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      // The build lives outside the repository: packages are found through NODE_PATH.
      NODE_PATH: join(ROOT, 'node_modules'),
      NODE_ENV: 'test',
      ROLE: opts.role,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      UNIPILE_DSN: opts.unipile.url,
      UNIPILE_API_KEY: opts.unipile.apiKey,
      SCAN_INTERVAL: '1s',
      MIN_ACTION_GAP: '1s',
      ACTION_JITTER: '1s',
      RELIABILITY_APP_OPTIONS: JSON.stringify({ jobs: { processEveryMs: 500, lockLifetimeMs: 10_000, ...opts.jobs } }),
      ...opts.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const done = (name: string) => output.split(`RELIABILITY_DONE ${name}\n`).length - 1;
  const waiters: Array<{ name: string; count: number; resolve(): void; reject(error: Error): void }> = [];
  let onReady: (url: string) => void = () => undefined;
  let onFail: (error: Error) => void = () => undefined;
  const ready = new Promise<string>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  ready.catch(() => undefined); // observed by whoever awaits it
  child.stdout?.on('data', (d) => {
    output += String(d);
    const url = /RELIABILITY_READY (\S+)/.exec(output)?.[1];
    if (url) onReady(url);
    for (const w of waiters.filter((w) => done(w.name) >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr?.on('data', (d) => (output += String(d)));
  // A command written as the process dies: its exit rejects the waiter.
  child.stdin?.on('error', () => undefined);
  child.once('exit', (code, signal) => {
    onFail(new Error(`${opts.name} exited (${signal ?? code}) before it was ready:\n${output.slice(-4_000)}`));
    for (const w of waiters.splice(0)) w.reject(new Error(`${opts.name} exited (${signal ?? code}) before it did ${w.name}`));
    rmSync(dataDir, { recursive: true, force: true });
  });
  return Object.assign(child, {
    name: opts.name,
    output: () => output,
    ready,
    exited: () => (child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode !== null ? `signal ${child.signalCode}` : undefined),
    command: (name: 'pause-jobs' | 'resume-jobs') =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${opts.name} has exited`));
        waiters.push({ name, count: done(name) + 1, resolve, reject });
        child.stdin!.write(`${name}\n`);
      }),
  });
}

/** Sends the signal and waits for the exit (SIGTERM: a graceful stop, forced after `graceMs`). */
export function stopService(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
