import type { LinkedInAccount } from '../../src/modules/accounts';
import { senderAccount } from '../factories/sender-account';
import { DEFAULT_SEQUENCE } from '../../src/modules/campaigns/sequence';
import type { SequenceStep } from '../../src/modules/campaigns';
import { type Lead, LeadStatus } from '../../src/modules/leads';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/modules/outreach/engine-settings';
import type { SimulationInput } from '../../src/modules/outreach/simulation/dry-run.types';

/** A dry run's input as simulateCampaign builds it from a campaign: plain rows of its senders, sequence and leads. */
export function dryRunInput(opts: {
  senders: number;
  leads: number;
  days: number;
  seed?: string;
  start?: Date;
  odds?: SimulationInput['odds'];
  account?: Partial<LinkedInAccount>;
  /** Lead i's first name (default: none for every 7th lead). */
  firstName?: (i: number) => string | null;
  /** The sequence (default: the default 4-step one). */
  steps?: Array<Pick<SequenceStep, 'kind' | 'delayMinutes' | 'template' | 'acceptTimeoutDays'>>;
}): SimulationInput {
  const start = opts.start ?? new Date('2026-03-02T07:13:00.000Z');
  // Ids in the reverse of the senders' order: the engine scans accounts in id order, not as listed.
  // Default caps (SENDER_CAPS), 09:00–18:00 Paris time on weekdays.
  const accounts = Array.from({ length: opts.senders }, (_, i) =>
    senderAccount({
      id: `00000000-0000-4000-8000-${String(opts.senders - i).padStart(12, '0')}`,
      workspaceId: '00000000-0000-4000-8000-000000000000',
      unipileAccountId: `acc_${i}`,
      ownerProviderId: `owner_${i}`,
      ownerPublicIdentifier: null,
      displayName: `Sender ${i}`,
      statusReason: null,
      timezone: 'Europe/Paris',
      workEndMinute: 18 * 60,
      createdAt: start,
      updatedAt: start,
      ...opts.account,
    }),
  );
  const steps = (opts.steps ?? DEFAULT_SEQUENCE).map((s, stepIndex) => ({ ...s, id: `step-${stepIndex}`, campaignId: 'c', version: 1, stepIndex }) as SequenceStep);
  const leads = Array.from(
    { length: opts.leads },
    (_, i) =>
      ({
        id: `lead-${i}`,
        accountId: null,
        publicIdentifier: `person-${i}`,
        providerId: null,
        firstName: opts.firstName ? opts.firstName(i) : i % 7 === 0 ? null : `First${i}`,
        lastName: `Last${i}`,
        company: null,
        customFields: {},
        status: LeadStatus.PENDING_INVITE,
      }) as unknown as Lead,
  );
  return {
    campaignId: 'c',
    days: opts.days,
    start,
    campaign: { name: 'Dry run', customFields: [], sequenceVersion: 1 } as unknown as SimulationInput['campaign'],
    steps,
    accounts,
    leads,
    settings: { ...DEFAULT_ENGINE_SETTINGS },
    odds: opts.odds ?? { acceptProbability: 0.35, replyProbability: 0.2 },
    seed: opts.seed ?? 'a1b2c3d4e5f6',
  };
}
