import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

// The two servers of the webhook benchmark, each in its own process so neither shares an event
// loop with the load generator. BENCH_CPU_PROF=<dir> writes a CPU profile of the service there.
const ROOT = join(__dirname, '../../..');

function startTs(entry: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The floor server; it prints its URL once listening. */
export async function startFloor(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = startTs('test/bench/support/webhook-floor-server.ts', { DATABASE_URL: databaseUrl });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const match = /"url":"([^"]+)"/.exec(buffer);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

/** The service as deployed (src/main.ts); at LOG_LEVEL=warn it prints no URL, so it gets a port. */
export function startService(port: number, env: Record<string, string>): ChildProcess {
  const prof = process.env.BENCH_CPU_PROF;
  const child = startTs('src/main.ts', { ...env, PORT: String(port) }, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []);
  child.stdout!.resume();
  return child;
}

export async function waitForReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}
