import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../../src/config';

// A service process for the reliability suites: what src/main.ts does (configuration from the
// environment, then startApp, graceful stop on SIGTERM/SIGINT), plus the few AppOptions the
// environment cannot set. The one that matters: Agenda's lock lifetime. A process killed while a
// job runs leaves that job locked until the lock lifetime has passed (60 s by default), which holds
// the recurring scan back for a minute after each kill; 20 kills would not fit the suite's time.
//
// RELIABILITY_APP_OPTIONS: JSON of { jobs?: { processEveryMs, lockLifetimeMs } }.
// Once listening it prints one line `RELIABILITY_READY <url>` on stdout.
//
// Commands on stdin, one a line, each answered `RELIABILITY_DONE <command>` on stdout once done:
// `pause-jobs` stops this process taking jobs (Agenda's stop, the job store left open: jobs it
// holds but has not started are released at once, a running one finishes), `resume-jobs` starts
// taking them again. A suite uses them to decide which process's engine may act.
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const options = JSON.parse(process.env.RELIABILITY_APP_OPTIONS ?? '{}') as { jobs?: { processEveryMs?: number; lockLifetimeMs?: number } };
  const { startApp } = require('../../../src/app') as typeof import('../../../src/app');
  const app = await startApp(config, { jobs: options.jobs, print: () => undefined });
  process.stdout.write(`RELIABILITY_READY ${app.url}\n`);
  const commands: Record<string, () => Promise<unknown>> = {
    'pause-jobs': () => app.jobs.stop(false),
    'resume-jobs': () => app.jobs.start(),
  };
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim();
    const run = commands[command];
    if (!run) return void process.stderr.write(`Unknown command: ${command}\n`);
    run().then(
      () => process.stdout.write(`RELIABILITY_DONE ${command}\n`),
      (error: unknown) => process.stderr.write(`${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
    );
  });
  const shutdown = () => {
    process.once('SIGTERM', () => process.exit(1));
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
