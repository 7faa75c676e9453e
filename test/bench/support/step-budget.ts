import { readFileSync } from 'node:fs';
import { Client } from 'pg';

// Where a benchmark's time goes, measured from inside its own process: the database round trips
// (every query node-postgres sends, counted by wrapping Client.prototype.query while counting is
// on), this process's CPU, and the CPU of the Postgres backends serving its database (from
// /proc/<pid>/stat of each backend, read before and after: Postgres itself is on this machine).

export type RoundTrips = { queries: number; commits: number; transactions: number };

let counting = false;
const counted: RoundTrips = { queries: 0, commits: 0, transactions: 0 };
let wrapped = false;

/** Counts the queries of every node-postgres client in this process from now until stop(). */
export function countRoundTrips(): { stop(): RoundTrips } {
  if (!wrapped) {
    wrapped = true;
    const original = Client.prototype.query;
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      if (counting) {
        const config = args[0] as string | { text?: string } | undefined;
        const text = (typeof config === 'string' ? config : config?.text ?? '').trimStart().slice(0, 20).toUpperCase();
        counted.queries += 1;
        if (text.startsWith('COMMIT')) counted.commits += 1;
        if (text.startsWith('START TRANSACTION') || text.startsWith('BEGIN')) counted.transactions += 1;
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
  }
  Object.assign(counted, { queries: 0, commits: 0, transactions: 0 });
  counting = true;
  return {
    stop() {
      counting = false;
      return { ...counted };
    },
  };
}

const TICK_MS = 1000 / 100; // USER_HZ: 100 on Linux

/** CPU milliseconds (user + system) used so far by each Postgres backend connected to `database`. */
export async function backendCpu(serverUrl: string, database: string): Promise<Map<number, number>> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS); // utime, stime
      } catch {
        // gone in between, or another machine's server: not counted
      }
    }
    return cpu;
  } finally {
    await client.end();
  }
}

/** The CPU the backends used between two readings (backends that appeared in between count from zero). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, total] of after) ms += total - (before.get(pid) ?? 0);
  return ms;
}

/** This process's CPU (user + system) in ms since `from` (process.cpuUsage()). */
export function processCpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}
