import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import type { Clock } from '../../../core/clock';
import { registerAccountRoutes } from './accounts.routes';
import { registerAdminRoutes } from './admin.routes';
import { registerChatRoutes } from './chats.routes';
import { registerInvitationRoutes } from './invitations.routes';
import type { ActiveFault, FaultRule } from './sandbox-faults';
import { registerAuth, registerErrorHandlers, type RequestLogEntry, type SandboxContext } from './sandbox-http';
import { type InvitationRecord, invitationRecords, type MessageRecord, messageRecords } from './sandbox-inspection';
import type { SandboxOptions } from './sandbox-options';
import type { ProfileSeed } from './sandbox-profiles';
import type { QueuedEvent } from '../../../core/time/event-queue';
import type { AccountStatus, SandboxAccount, SandboxInvitation, SandboxMessage, SandboxProfile, SandboxRelation, SandboxStore } from './sandbox-store';
import type { DeliveryRecord } from './sandbox-webhooks';
import { createSandboxWorld } from './sandbox-world';
import { registerUserRoutes } from './users.routes';
import { registerWebhookRoutes } from './webhooks.routes';

export type UnipileSandbox = {
  /** Base URL to give UnipileClient as its DSN. */
  url: string;
  apiKey: string;
  adminKey: string;
  clock: Clock;
  /** The raw world, for assertions. Change it through the methods below. */
  store: SandboxStore;
  accounts(): SandboxAccount[];
  /** Members that are not account owners. */
  prospects(): SandboxProfile[];
  createAccount(input?: { id?: string; name?: string }): SandboxAccount;
  createProfile(seed?: ProfileSeed): SandboxProfile;
  connect(accountId: string, providerId: string): SandboxRelation;
  /** Forces the invitee to accept now (webhooks included). */
  acceptInvitation(invitationId: string): SandboxInvitation;
  /** Forces the other party of a chat to reply now. */
  reply(chatId: string, text?: string): SandboxMessage;
  /** Disconnects (CREDENTIALS, …) or reconnects (OK) an account; emits AccountStatus on change. */
  setAccountStatus(accountId: string, status: AccountStatus): SandboxAccount;
  faults: { add(rule: FaultRule): number; remove(id: number): boolean; clear(): void; list(): ActiveFault[] };
  /** VirtualClock only: moves time forward, running each due event at its time; returns how many ran. */
  advance(ms: number): number;
  /** Runs events already due (the system-clock timer does this every tickMs). */
  runDue(): number;
  pendingEvents(): Array<Omit<QueuedEvent, 'run'>>;
  /** When the earliest pending event is due (undefined: none), without listing them all. */
  nextEventAt(): Date | undefined;
  /** Waits until every webhook delivery has succeeded or used up its retries. */
  settle(): Promise<void>;
  requests(filter?: { method?: string; route?: string }): RequestLogEntry[];
  sentInvitations(accountId?: string): InvitationRecord[];
  messages(filter?: { accountId?: string; direction?: MessageRecord['direction'] }): MessageRecord[];
  deliveries(): DeliveryRecord[];
  stop(): Promise<void>;
};

/**
 * Starts a fake Unipile (v1 REST + webhooks) backed by a simulated LinkedIn, on a real HTTP port.
 * Used by integration tests and by the app when no Unipile DSN is configured.
 */
export async function startUnipileSandbox(input: SandboxOptions = {}): Promise<UnipileSandbox> {
  const { options, store, scheduler, faults, webhooks, linkedin: sim, stream } = createSandboxWorld(input);
  const { clock } = options;

  const keys = stream('keys');
  const apiKey = options.apiKey ?? `sandbox_${keys.unipileId()}`;
  const adminKey = options.adminKey ?? `sandbox_admin_${keys.unipileId()}`;
  const stopping = new AbortController();
  const requests: RequestLogEntry[] = [];
  const ctx: SandboxContext = { store, sim, faults, scheduler, webhooks, clock, options, requests, stopping: stopping.signal };

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 16 * 1024 * 1024 });
  await app.register(multipart, { attachFieldsToBody: 'keyValues' });
  registerAuth(app, ctx, apiKey, adminKey);
  registerErrorHandlers(app, ctx);
  registerAccountRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerInvitationRoutes(app, ctx);
  registerChatRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  scheduler.start(options.tickMs);
  options.logger?.child({ module: 'unipile-sandbox' }).info({ url, seed: options.seed, accounts: store.accounts.size, profiles: store.profiles.size }, 'unipile sandbox listening');

  let stopped: Promise<void> | undefined;
  return {
    url,
    apiKey,
    adminKey,
    clock,
    store,
    accounts: () => [...store.accounts.values()],
    prospects: () => sim.prospects(),
    createAccount: (account) => sim.createAccount(account),
    createProfile: (profile) => sim.createProfile(profile),
    connect: (accountId, providerId) => sim.connect(accountId, providerId),
    acceptInvitation: (id) => sim.acceptInvitation(id),
    reply: (chatId, text) => sim.reply(chatId, text),
    setAccountStatus: (accountId, status) => sim.setAccountStatus(accountId, status),
    faults: {
      add: (rule) => faults.add(rule),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    advance: (ms) => scheduler.advance(ms),
    runDue: () => scheduler.runDue(),
    pendingEvents: () => scheduler.pending(),
    nextEventAt: () => scheduler.nextDueAt(),
    settle: () => webhooks.settle(),
    requests: (filter = {}) =>
      requests.filter((r) => (!filter.method || r.method === filter.method.toUpperCase()) && (!filter.route || r.route === filter.route)),
    sentInvitations: (accountId) => invitationRecords(store, accountId),
    messages: (filter) => messageRecords(store, filter),
    deliveries: () => webhooks.deliveries(),
    stop: () => {
      stopped ??= (async () => {
        scheduler.stop();
        stopping.abort();
        await webhooks.stop();
        await app.close();
      })();
      return stopped;
    },
  };
}
