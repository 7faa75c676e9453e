import type { LinkedInAccount } from '../../accounts';
import type { Campaign, SequenceStep } from '../../campaigns';
import type { Lead } from '../../leads';
import type { EngineSettings } from '../engine-settings';

/** Everything a dry run needs, as plain data (it crosses to a worker thread). */
export type SimulationInput = {
  campaignId: string;
  days: number;
  start: Date;
  campaign: Pick<Campaign, 'name' | 'customFields' | 'sequenceVersion'>;
  steps: SequenceStep[];
  /** Plain rows (the entity's computed accessors do not cross to the thread). */
  accounts: Array<Omit<LinkedInAccount, 'workingHoursStart' | 'workingHoursEnd'>>;
  leads: Lead[];
  settings: EngineSettings;
  odds: { acceptProbability: number; replyProbability: number };
  seed: string;
};

/** What simulateCampaign answers (SimulationResult's fields). */
export type SimulationOutput = {
  campaignId: string;
  days: number;
  startedAt: Date;
  endedAt: Date;
  leads: number;
  invitesSent: number;
  acceptances: number;
  messagesSent: number;
  replies: number;
  leadsByStatus: Array<{ status: string; count: number }>;
  truncated: boolean;
  timeline: Array<{ at: Date; publicIdentifier: string | null; providerId: string | null; type: string; stepIndex: number | null; reason: string | null }>;
};
