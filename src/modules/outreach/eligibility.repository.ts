import type { EntityManager } from 'typeorm';
import type { Lead } from '../leads';
import type { GateFacts } from './eligibility';

/** The sending pauses and the do-not-contact list, as they hold back a batch of leads. */
export class EligibilityRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statement, inside `em`'s transaction. */
  withManager(em: EntityManager): EligibilityRepository {
    return new EligibilityRepository(em);
  }

  /**
   * For a batch of leads in one round trip: whether an operator paused the whole scheduler,
   * which of their workspaces paused sending, and which leads are on their workspace's do-not-contact list.
   */
  async gateFacts(leads: Array<Pick<Lead, 'id' | 'workspaceId' | 'publicIdentifier' | 'providerId'>>): Promise<GateFacts> {
    const [row] = await this.db.query<Array<{ paused: boolean; paused_workspaces: string[]; dnc: string[] }>>(
      `SELECT coalesce((SELECT paused FROM scheduler_state WHERE id = 1), false) AS paused,
            coalesce((SELECT array_agg(id::text) FROM workspace WHERE id = ANY($2::uuid[]) AND sending_paused), '{}') AS paused_workspaces,
            coalesce((SELECT array_agg(v.lead_id::text) FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS v(lead_id, workspace_id, pub, pid)
                      WHERE EXISTS (SELECT 1 FROM do_not_contact d
                                    WHERE d.workspace_id = v.workspace_id AND (d.public_identifier = v.pub OR d.provider_id = v.pid))), '{}') AS dnc`,
      [leads.map((l) => l.id), leads.map((l) => l.workspaceId), leads.map((l) => l.publicIdentifier), leads.map((l) => l.providerId)],
    );
    return { schedulerPaused: row.paused, pausedWorkspaces: new Set(row.paused_workspaces), doNotContact: new Set(row.dnc) };
  }
}
