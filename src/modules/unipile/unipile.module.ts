import { randomBytes } from 'node:crypto';
import { defineModule, type ModuleContext } from '../module';
import { type UnipileSandbox, startUnipileSandbox } from './sandbox/sandbox';
import { UnipileClient, type UnipileClientOptions } from './unipile.client';

/** The Unipile client: the real Unipile when configured, otherwise the built-in sandbox on a local port. */
export const unipileModule = defineModule({
  name: 'unipile',
  async create(ctx) {
    const onCall: UnipileClientOptions['onCall'] = (call) => {
      ctx.metrics.unipileCalls.inc({ operation: call.operation, method: call.method, outcome: call.outcome });
      ctx.metrics.unipileDuration.observe({ operation: call.operation }, call.ms / 1000);
    };
    const { config, log } = ctx;
    if (config.unipile) {
      log.info({ dsn: config.unipile.dsn }, 'using Unipile');
      return { client: new UnipileClient({ dsn: config.unipile.dsn, apiKey: config.unipile.apiKey, timeoutMs: config.unipileTimeoutMs, logger: log, onCall }) };
    }
    const sandbox = await startSandbox(ctx);
    ctx.onStop(() => sandbox.stop());
    return { client: new UnipileClient({ dsn: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: config.unipileTimeoutMs, logger: log, onCall }), sandbox };
  },
});

async function startSandbox({ config, clock, log, options }: ModuleContext): Promise<UnipileSandbox> {
  const { seed, port, adminKey, accounts, profiles, initialRelations, acceptProbability, replyProbability } = config.sandbox;
  const sandbox = await startUnipileSandbox({
    seed,
    port,
    // Random per start unless SANDBOX_ADMIN_KEY is set: a key derived from the (public) seed is no key.
    adminKey: adminKey ?? `sandbox_admin_${randomBytes(24).toString('base64url')}`,
    accounts,
    profiles,
    initialRelations,
    acceptance: { probability: acceptProbability },
    reply: { probability: replyProbability },
    clock,
    logger: log,
    ...options.sandbox,
  });
  log.info({ url: sandbox.url }, 'UNIPILE_DSN is not set: using the built-in Unipile sandbox (a simulated LinkedIn)');
  if (config.isProduction) {
    // Allowed only with ALLOW_SANDBOX_IN_PRODUCTION (config.ts); the key is not printed where logs are collected.
    log.warn('ALLOW_SANDBOX_IN_PRODUCTION=true: the simulated LinkedIn runs in production; nothing reaches Unipile');
  } else {
    // The admin key is a credential: shown on the console, never in the JSON log.
    (options.print ?? ((text: string) => process.stdout.write(text)))(
      `\n  Unipile sandbox: ${sandbox.url} (inspect it under /_sandbox/* with header x-sandbox-admin-key: ${sandbox.adminKey})\n\n`,
    );
  }
  return sandbox;
}
