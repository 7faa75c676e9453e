import type { Clock } from '../../../core/clock';
import { LinkedInSimulation } from './sandbox-linkedin';
import { resolveSandboxOptions, type ResolvedSandboxOptions, type SandboxOptions } from './sandbox-options';
import { SeededRandom } from './sandbox-random';
import { EventQueue } from '../../../core/time/event-queue';
import { SandboxStore } from './sandbox-store';
import { SandboxFaults } from './sandbox-faults';
import { WebhookDispatcher } from './sandbox-webhooks';

const DAY = 86_400_000;

/** The simulated LinkedIn without its HTTP face: what the sandbox server serves, and what a dry run drives in-process. */
export type SandboxWorld = {
  options: ResolvedSandboxOptions;
  store: SandboxStore;
  scheduler: EventQueue;
  faults: SandboxFaults;
  webhooks: WebhookDispatcher;
  linkedin: LinkedInSimulation;
  /** A named random stream of the world's seed. */
  stream(name: string): SeededRandom;
};

/** Builds the world from its options: same seed, same world (accounts first, then people, then networks). */
export function createSandboxWorld(input: SandboxOptions = {}): SandboxWorld {
  const options = resolveSandboxOptions(input);
  const { clock, seed } = options;
  const stream = (name: string) => SeededRandom.stream(seed, name);
  const log = options.logger?.child({ module: 'unipile-sandbox' });
  const store = new SandboxStore();
  const scheduler = new EventQueue(clock, (err, label) => log?.error({ err, label }, 'sandbox event failed'));
  const faults = new SandboxFaults(stream('faults'));
  for (const rule of options.faults) faults.add(rule);
  const webhooks = new WebhookDispatcher(store, faults, clock, options.webhooks, log);
  const linkedin = new LinkedInSimulation({ store, scheduler, webhooks, clock, options, rng: stream('decisions'), ids: stream('ids'), people: stream('people') });
  seedWorld(linkedin, options.accounts, options.profiles, options.initialRelations, stream('relations'), clock);
  return { options, store, scheduler, faults, webhooks, linkedin, stream };
}

function seedWorld(
  sim: LinkedInSimulation,
  accounts: Array<{ id?: string; name?: string }>,
  profiles: number,
  initialRelations: number,
  rng: SeededRandom,
  clock: Clock,
): void {
  const created = accounts.map((a) => sim.createAccount(a));
  for (let i = 0; i < profiles; i++) sim.createProfile();
  const pool = sim.prospects();
  for (const account of created) {
    const picked = [...pool];
    for (let i = 0; i < Math.min(initialRelations, picked.length); i++) {
      const j = i + Math.floor(rng.next() * (picked.length - i));
      [picked[i], picked[j]] = [picked[j], picked[i]];
      const connectedAt = new Date(clock.now().getTime() - rng.int(1, 365) * DAY - rng.int(0, DAY - 1));
      sim.connect(account.id, picked[i].providerId, connectedAt);
    }
  }
}
