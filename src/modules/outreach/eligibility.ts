import type { Lead } from '../leads';

/** Why a lead may not be contacted now, whatever its account and campaign say. */
export type Gate = 'SCHEDULER_PAUSED' | 'WORKSPACE_PAUSED' | 'DO_NOT_CONTACT';

/** What holds a batch's leads back, read in one round trip (EligibilityRepository.gateFacts). */
export type GateFacts = {
  /** An operator paused the whole scheduler. */
  schedulerPaused: boolean;
  /** Workspaces whose admins paused their sending. */
  pausedWorkspaces: ReadonlySet<string>;
  /** Leads on their workspace's do-not-contact list. */
  doNotContact: ReadonlySet<string>;
};

export type EligibilityGates = {
  /** The first gate that holds this lead back (in the order sending is checked), if any. */
  blocked(lead: Pick<Lead, 'id' | 'workspaceId'>): Gate | undefined;
};

/** The gates that do not come with the execution's own rows. A new gate is one more fact and one more line here. */
export function eligibilityGates(facts: GateFacts): EligibilityGates {
  return {
    blocked: (lead) =>
      facts.schedulerPaused
        ? 'SCHEDULER_PAUSED'
        : facts.pausedWorkspaces.has(lead.workspaceId)
          ? 'WORKSPACE_PAUSED'
          : facts.doNotContact.has(lead.id)
            ? 'DO_NOT_CONTACT'
            : undefined,
  };
}
