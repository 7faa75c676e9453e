import { type Clock, systemClock } from '../../../core/clock';
import type { Logger } from '../../../core/logger';
import type { FaultRule } from './sandbox-faults';
import type { Range } from './sandbox-random';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type SandboxOptions = {
  /** Same seed, same people, ids and simulated decisions (default `sandbox`). */
  seed?: string;
  /** Where simulated time comes from (default the system clock). Pass a VirtualClock in tests. */
  clock?: Clock;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The X-API-KEY clients must send (default derived from the seed). */
  apiKey?: string;
  /** Guards the `/_sandbox/*` inspection routes (header `x-sandbox-admin-key`; default derived from the seed). */
  adminKey?: string;
  /** LinkedIn accounts linked at start (default 1). */
  accounts?: number | Array<{ id?: string; name?: string }>;
  /** Generated LinkedIn members to invite and message (default 200). */
  profiles?: number;
  /** Members already connected to each account at start (default 0). */
  initialRelations?: number;
  acceptance?: { probability?: number; delayMs?: Range };
  reply?: { probability?: number; delayMs?: Range };
  /** Delay between an acceptance and its `new_relation` webhook (real Unipile polls: up to 8 h). */
  newRelationWebhookDelayMs?: Range;
  limits?: {
    invitesPerDay?: number;
    invitesPerWeek?: number;
    profileViewsPerDay?: number;
    /** After a withdrawal, re-inviting the same member answers already_invited_recently this long. */
    reinviteCooldownMs?: number;
  };
  webhooks?: {
    /** Delay before each retry after a non-200; Unipile retries five times (default 5 growing delays). */
    retryDelaysMs?: number[];
    /** A delivery slower than this counts as failed (Unipile: 30 s). */
    timeoutMs?: number;
    /** How long a reordered delivery waits for a later one to overtake it. */
    reorderHoldMs?: number;
  };
  faults?: FaultRule[];
  /** With the system clock, how often due events are processed (default 1 s). */
  tickMs?: number;
  logger?: Logger;
};

export type ResolvedSandboxOptions = {
  seed: string;
  clock: Clock;
  host: string;
  port: number;
  apiKey?: string;
  adminKey?: string;
  accounts: Array<{ id?: string; name?: string }>;
  profiles: number;
  initialRelations: number;
  acceptance: { probability: number; delayMs: Range };
  reply: { probability: number; delayMs: Range };
  newRelationWebhookDelayMs: Range;
  limits: { invitesPerDay: number; invitesPerWeek: number; profileViewsPerDay: number; reinviteCooldownMs: number };
  webhooks: { retryDelaysMs: number[]; timeoutMs: number; reorderHoldMs: number };
  faults: FaultRule[];
  tickMs: number;
  logger?: Logger;
};

export function resolveSandboxOptions(opts: SandboxOptions): ResolvedSandboxOptions {
  const accounts = opts.accounts ?? 1;
  return {
    seed: opts.seed ?? 'sandbox',
    clock: opts.clock ?? systemClock,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKey: opts.apiKey,
    adminKey: opts.adminKey,
    accounts: typeof accounts === 'number' ? Array.from({ length: accounts }, () => ({})) : accounts,
    profiles: opts.profiles ?? 200,
    initialRelations: opts.initialRelations ?? 0,
    acceptance: {
      probability: opts.acceptance?.probability ?? 0.35,
      delayMs: opts.acceptance?.delayMs ?? { min: 2 * HOUR, max: 3 * DAY },
    },
    reply: {
      probability: opts.reply?.probability ?? 0.2,
      delayMs: opts.reply?.delayMs ?? { min: 30 * MINUTE, max: 2 * DAY },
    },
    newRelationWebhookDelayMs: opts.newRelationWebhookDelayMs ?? { min: 0, max: 0 },
    limits: {
      invitesPerDay: opts.limits?.invitesPerDay ?? 100,
      invitesPerWeek: opts.limits?.invitesPerWeek ?? 200,
      profileViewsPerDay: opts.limits?.profileViewsPerDay ?? 100,
      reinviteCooldownMs: opts.limits?.reinviteCooldownMs ?? 21 * DAY,
    },
    webhooks: {
      retryDelaysMs: opts.webhooks?.retryDelaysMs ?? [1_000, 5_000, 30_000, 2 * MINUTE, 10 * MINUTE],
      timeoutMs: opts.webhooks?.timeoutMs ?? 30_000,
      reorderHoldMs: opts.webhooks?.reorderHoldMs ?? 2_000,
    },
    faults: opts.faults ?? [],
    tickMs: opts.tickMs ?? 1_000,
    logger: opts.logger,
  };
}
