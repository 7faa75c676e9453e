import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import { NotFoundError } from '../../core/errors';
import type { Page } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import { EventSource } from './lead-event-type';
import type { LeadEventRepository } from './lead-event.repository';
import { LeadStatus, isActiveLeadStatus } from './lead-status';
import type { Lead } from './lead.entity';
import { LeadError } from './lead.errors';
import type { LeadRepository } from './lead.repository';
import type { LeadsArgs, LeadTimeline } from './lead.types';

export class LeadService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly leads: LeadRepository,
    private readonly events: LeadEventRepository,
    private readonly clock: Clock,
  ) {}

  list(viewer: Viewer, args: LeadsArgs): Promise<Page<Lead>> {
    return this.leads.page(viewer.workspaceId, args, args);
  }

  async get(viewer: Viewer, id: string): Promise<Lead> {
    const lead = await this.leads.find(viewer.workspaceId, id);
    if (!lead) throw new NotFoundError('Lead', id);
    return lead;
  }

  async timeline(viewer: Viewer, id: string): Promise<LeadTimeline> {
    const lead = await this.get(viewer, id);
    return { lead, events: await this.events.timeline(lead.id) };
  }

  /**
   * Takes a lead out of its campaign: it gets no further step and is marked excluded, its
   * history kept. Removing an excluded lead again changes nothing; a finished one cannot be removed.
   */
  async remove(viewer: Viewer, id: string): Promise<Lead> {
    const lead = await this.get(viewer, id);
    if (lead.status === LeadStatus.EXCLUDED) return lead;
    if (!isActiveLeadStatus(lead.status)) {
      throw new LeadError('LEAD_NOT_ACTIVE', `A ${lead.status} lead has finished its sequence and cannot be removed`);
    }
    await this.db.transaction((em) =>
      this.leads.withManager(em).excludeActive({ leadIds: [lead.id] }, 'REMOVED_BY_OPERATOR', this.clock.now(), EventSource.OPERATOR),
    );
    return this.get(viewer, id);
  }

  byIds(viewer: Viewer, ids: readonly string[]): Promise<Lead[]> {
    return this.leads.byIds(viewer.workspaceId, ids);
  }
}
