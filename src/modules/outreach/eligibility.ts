import type { EntityManager } from 'typeorm';
import type { Lead } from '../leads/lead.entity';

/** Why a lead may not be contacted now, whatever its account and campaign say. */
export type Gate = 'SCHEDULER_PAUSED' | 'WORKSPACE_PAUSED' | 'DO_NOT_CONTACT';

export type EligibilityGates = {
  /** The first gate that holds this lead back (in the order sending is checked), if any. */
  blocked(lead: Pick<Lead, 'id' | 'workspaceId'>): Gate | undefined;
};

/**
 * The gates that do not come with the execution's own rows, for a batch of leads in one round
 * trip: whether an operator paused the whole scheduler, which workspaces' admins paused their
 * sending, and which leads are on their workspace's do-not-contact list. A new gate is one more column here and one more line in blocked().
 */
export async function eligibilityGates(em: EntityManager, leads: Array<Pick<Lead, 'id' | 'workspaceId' | 'publicIdentifier' | 'providerId'>>): Promise<EligibilityGates> {
  const [row]: Array<{ paused: boolean; paused_workspaces: string[]; dnc: string[] }> = await em.query(
    `SELECT coalesce((SELECT paused FROM scheduler_state WHERE id = 1), false) AS paused,
            coalesce((SELECT array_agg(id::text) FROM workspace WHERE id = ANY($2::uuid[]) AND sending_paused), '{}') AS paused_workspaces,
            coalesce((SELECT array_agg(v.lead_id::text) FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS v(lead_id, workspace_id, pub, pid)
                      WHERE EXISTS (SELECT 1 FROM do_not_contact d
                                    WHERE d.workspace_id = v.workspace_id AND (d.public_identifier = v.pub OR d.provider_id = v.pid))), '{}') AS dnc`,
    [leads.map((l) => l.id), leads.map((l) => l.workspaceId), leads.map((l) => l.publicIdentifier), leads.map((l) => l.providerId)],
  );
  const pausedWorkspaces = new Set(row.paused_workspaces);
  const doNotContact = new Set(row.dnc);
  return {
    blocked: (lead) =>
      row.paused ? 'SCHEDULER_PAUSED' : pausedWorkspaces.has(lead.workspaceId) ? 'WORKSPACE_PAUSED' : doNotContact.has(lead.id) ? 'DO_NOT_CONTACT' : undefined,
  };
}
