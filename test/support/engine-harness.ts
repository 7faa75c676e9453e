import { VirtualClock } from '../../src/core/clock';
import type { Logger } from '../../src/core/logger';
import { seededRandom } from '../../src/core/random';
import type { EngineSettings } from '../../src/modules/outreach/engine-settings';
import { SimulationClock } from '../../src/modules/outreach/simulation/simulation-clock';
import { SimulationRunner } from '../../src/modules/outreach/simulation/simulation-runner';
import type { SandboxOptions } from '../../src/modules/unipile/sandbox/sandbox-options';
import type { App } from '../../src/app';
import type { UnipileSandbox } from '../../src/modules/unipile/sandbox/sandbox';
import {
  AddLeadsDocument,
  CreateCampaignDocument,
  LinkAccountDocument,
  type LinkAccountInput,
  SetCampaignStatusDocument,
  type SequenceStepInput,
  UpdateAccountDocument,
  type UpdateAccountInput,
} from '../graphql/generated';
import { linkSandboxAccount } from '../factories/account.factory';
import { gqlOk } from './graphql-client';
import { type TestApp, startTestApp } from './test-app';
import { adminSession, type Session } from './workspace';

export const SCAN_EVERY_MS = 15 * 60_000;

export type EngineTest = {
  t: TestApp;
  clock: VirtualClock;
  admin: Session;
  runner: SimulationRunner;
  /** A linked sandbox account with these settings (of the admin's workspace, or of `as`'s). */
  account(settings?: UpdateAccountInput, as?: Session): Promise<{ id: string; unipileAccountId: string }>;
  /** An ACTIVE campaign on these senders with leads taken from the sandbox's members. */
  campaign(opts: { senders: string[]; leads: number; steps?: SequenceStepInput[]; as?: Session }): Promise<{ id: string; providerIds: string[] }>;
};

/**
 * The app (API role, no Agenda timers) on a virtual clock shared with its sandbox, and a
 * SimulationRunner that drives the engine through simulated days.
 */
export async function startEngineTest(opts: {
  start?: string;
  sandbox?: SandboxOptions;
  engine?: Partial<EngineSettings>;
  env?: Record<string, string>;
  /** The app's logger (tests that inspect what is logged). */
  log?: Logger;
} = {}): Promise<EngineTest> {
  const clock = new SimulationClock(opts.start ?? '2026-01-05T08:00:00.000Z'); // a Monday
  const t = await startTestApp(opts.env ?? {}, {
    clock,
    log: opts.log,
    executionScheduler: { scheduleExecution: async () => undefined }, // the runner finds due executions itself
    random: seededRandom(42),
    engine: { minGapMs: 60_000, jitterMs: 30_000, ...opts.engine },
    sandbox: {
      clock,
      seed: 'engine-tests',
      profiles: 400,
      initialRelations: 0,
      acceptance: { probability: 1, delayMs: { min: 3_600_000, max: 3_600_000 } },
      reply: { probability: 0 },
      ...opts.sandbox,
    },
  });
  const admin = await adminSession(t);
  const runner = simulationRunner(t.app, clock);
  let used = 0;
  let n = 0;
  return {
    t,
    clock,
    admin,
    runner,
    async account(settings = {}, as = admin) {
      const account = await linkSandboxAccount(t, as.token);
      if (Object.keys(settings).length) await gqlOk(t.graphqlUrl, UpdateAccountDocument, { id: account.id, input: settings }, as.token);
      return account;
    },
    async campaign({ senders, leads, steps, as = admin }) {
      const prospects = t.app.sandbox!.prospects().slice(used, used + leads);
      used += leads;
      const { createCampaign } = await gqlOk(
        t.graphqlUrl,
        CreateCampaignDocument,
        { input: { name: `Engine campaign ${++n}`, senderAccountIds: senders, ...(steps ? { steps } : {}) } },
        as.token,
      );
      await gqlOk(
        t.graphqlUrl,
        AddLeadsDocument,
        {
          campaignId: createCampaign.id,
          leads: prospects.map((p) => ({ publicIdentifier: p.publicIdentifier, firstName: p.firstName, lastName: p.lastName })),
        },
        as.token,
      );
      await gqlOk(t.graphqlUrl, SetCampaignStatusDocument, { id: createCampaign.id, status: 'ACTIVE' }, as.token);
      return { id: createCampaign.id, providerIds: prospects.map((p) => p.providerId) };
    },
  };
}

/** A SimulationRunner over the app's own engine services and sandbox (`concurrency` accounts at once). */
export function simulationRunner(app: App, clock: VirtualClock, concurrency = 1): SimulationRunner {
  return new SimulationRunner({
    concurrency,
    dataSource: app.dataSource,
    clock,
    sandbox: app.sandbox!,
    scheduler: app.engine.scheduler,
    executor: app.engine.executor,
    progress: app.leadProgress,
    scanEveryMs: SCAN_EVERY_MS,
    onLeadsDue: (accountId) => app.engine.scan.forget(accountId),
  });
}

export type WorldAccount = Omit<LinkAccountInput, 'unipileAccountId'>;

export type CampaignWorld = { campaignIds: string[]; accounts: Array<{ id: string; unipileAccountId: string; timezone: string }> };

const LEADS_PER_CALL = 10_000;
/** A campaign takes at most this many senders (the API's limit): larger worlds get several. */
const SENDERS_PER_CAMPAIGN = 50;

/**
 * A large outreach built through the API as an operator would: sender accounts linked with their
 * settings, ACTIVE campaigns with the default 4-step sequence (one per 50 senders, in order), and
 * `leads` fresh sandbox members added in batches, shared out by sender count and spread round
 * robin over each campaign's senders.
 */
export async function buildCampaignWorld(
  target: { graphqlUrl: string; token: string; sandbox: UnipileSandbox },
  spec: { accounts: WorldAccount[]; leads: number; name?: string },
): Promise<CampaignWorld> {
  const { graphqlUrl, token, sandbox } = target;
  const accounts: CampaignWorld['accounts'] = [];
  for (const settings of spec.accounts) {
    const remote = sandbox.createAccount();
    const { linkAccount } = await gqlOk(graphqlUrl, LinkAccountDocument, { input: { ...settings, unipileAccountId: remote.id } }, token);
    accounts.push({ id: linkAccount.id, unipileAccountId: remote.id, timezone: linkAccount.timezone });
  }
  const campaignIds: string[] = [];
  let leadsDone = 0;
  for (let first = 0; first < accounts.length; first += SENDERS_PER_CAMPAIGN) {
    const senders = accounts.slice(first, first + SENDERS_PER_CAMPAIGN);
    const leads = Math.round((spec.leads * (first + senders.length)) / accounts.length) - leadsDone;
    leadsDone += leads;
    const name = `${spec.name ?? 'Simulated campaign'}${first > 0 ? ` ${first / SENDERS_PER_CAMPAIGN + 1}` : ''}`;
    const { createCampaign } = await gqlOk(graphqlUrl, CreateCampaignDocument, { input: { name, senderAccountIds: senders.map((a) => a.id) } }, token);
    for (let done = 0; done < leads; done += LEADS_PER_CALL) {
      const people = Array.from({ length: Math.min(LEADS_PER_CALL, leads - done) }, () => sandbox.createProfile());
      const { addLeads } = await gqlOk(
        graphqlUrl,
        AddLeadsDocument,
        { campaignId: createCampaign.id, leads: people.map((p) => ({ publicIdentifier: p.publicIdentifier, firstName: p.firstName, lastName: p.lastName })) },
        token,
      );
      if (addLeads.created !== people.length) throw new Error(`expected ${people.length} leads created, got ${addLeads.created}`);
    }
    campaignIds.push(createCampaign.id);
  }
  for (const id of campaignIds) await gqlOk(graphqlUrl, SetCampaignStatusDocument, { id, status: 'ACTIVE' }, token);
  return { campaignIds, accounts };
}
