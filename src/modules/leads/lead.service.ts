import { type DataSource, In } from 'typeorm';
import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { type Page, paginate } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import { EventSource } from './lead-event-type';
import { LeadEvent } from './lead-event.entity';
import { LeadStatus, isActiveLeadStatus } from './lead-status';
import { excludeActiveLeads } from './lead-transitions';
import { Lead } from './lead.entity';
import { LeadError } from './lead.errors';
import type { LeadsArgs, LeadTimeline } from './lead.types';

export class LeadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, args: LeadsArgs): Promise<Page<Lead>> {
    const qb = this.dataSource
      .getRepository(Lead)
      .createQueryBuilder('l')
      .where('l.workspace_id = :ws', { ws: viewer.workspaceId });
    if (args.campaignId) qb.andWhere('l.campaign_id = :campaignId', { campaignId: args.campaignId });
    if (args.status) qb.andWhere('l.status = :status', { status: args.status });
    if (args.search?.trim()) {
      qb.andWhere(
        `(l.public_identifier ILIKE :q OR l.company ILIKE :q OR (coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')) ILIKE :q)`,
        { q: `%${args.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      );
    }
    return paginate(qb, args);
  }

  async get(viewer: Viewer, id: string): Promise<Lead> {
    const lead = await this.dataSource.getRepository(Lead).findOne({ where: { id, workspaceId: viewer.workspaceId } });
    if (!lead) throw new NotFoundError('Lead', id);
    return lead;
  }

  async timeline(viewer: Viewer, id: string): Promise<LeadTimeline> {
    const lead = await this.get(viewer, id);
    const events = await this.dataSource.getRepository(LeadEvent).find({
      where: { leadId: lead.id },
      order: { occurredAt: 'ASC', id: 'ASC' },
    });
    return { lead, events };
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
    await this.dataSource.transaction((em) =>
      excludeActiveLeads(em, { leadIds: [lead.id] }, 'REMOVED_BY_OPERATOR', this.clock.now(), EventSource.OPERATOR),
    );
    return this.get(viewer, id);
  }

  byIds(viewer: Viewer, ids: readonly string[]): Promise<Lead[]> {
    return this.dataSource.getRepository(Lead).find({ where: { id: In([...ids]), workspaceId: viewer.workspaceId } });
  }
}
