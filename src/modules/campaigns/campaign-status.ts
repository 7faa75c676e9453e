import { CampaignStatus } from './campaign.entity';

// The lifecycle: DRAFT → ACTIVE ⇄ PAUSED → COMPLETED → ARCHIVED; drafts and paused campaigns
// may be archived directly. Anything else is refused with INVALID_STATUS_TRANSITION.
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  [CampaignStatus.DRAFT]: [CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED],
  [CampaignStatus.ACTIVE]: [CampaignStatus.PAUSED, CampaignStatus.COMPLETED],
  [CampaignStatus.PAUSED]: [CampaignStatus.ACTIVE, CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED],
  [CampaignStatus.COMPLETED]: [CampaignStatus.ARCHIVED],
  [CampaignStatus.ARCHIVED]: [],
};

export const allowedTransitions = (from: CampaignStatus): readonly CampaignStatus[] => TRANSITIONS[from];

export const canTransition = (from: CampaignStatus, to: CampaignStatus): boolean => TRANSITIONS[from].includes(to);

/** Completed and archived campaigns are history: no edits, no new leads. */
export const isEditable = (status: CampaignStatus): boolean =>
  status !== CampaignStatus.COMPLETED && status !== CampaignStatus.ARCHIVED;
