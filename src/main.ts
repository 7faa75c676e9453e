import 'reflect-metadata';
import { ConfigError, loadProcessConfig, type Config } from './config';

// Entry point: configuration first (a bad value stops here with one line per problem), then the app.
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadProcessConfig(roleFromArgs(process.argv.slice(2)));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration:\n${error.problems.join('\n')}\n`);
    process.exit(1);
  }
  // Loaded after the configuration is known good, so a bad value fails fast.
  const { startApp } = require('./app') as typeof import('./app');
  const app = await startApp(config);

  const shutdown = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down: draining HTTP, WebSocket and jobs');
    process.once(signal, () => process.exit(1)); // a second signal forces the exit
    app.stop().then(
      () => {
        app.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** `--role api|worker|all` (or `--role=worker`) overrides ROLE. */
function roleFromArgs(args: string[]): { ROLE?: string } {
  const i = args.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i === -1) return {};
  return { ROLE: args[i].includes('=') ? args[i].split('=')[1] : args[i + 1] };
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
