import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { InputError, NotFoundError } from '../../core/errors';
import { type Page, PageArgs, paginate } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import { DoNotContact } from './do-not-contact.entity';
import { EventSource } from './lead-event-type';
import { normalizeProviderId, normalizePublicIdentifier } from './lead-identity';
import { excludeActiveLeads } from './lead-transitions';
import type { DoNotContactInput } from './lead.types';

const MAX_ENTRIES_PER_CALL = 10_000;

/**
 * The workspace's suppression list. Adding someone also takes them out of every active sequence
 * at once; imports report them excluded, and the engine checks the list before each send.
 */
export class DoNotContactService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, args: PageArgs): Promise<Page<DoNotContact>> {
    const qb = this.dataSource
      .getRepository(DoNotContact)
      .createQueryBuilder('d')
      .where('d.workspace_id = :ws', { ws: viewer.workspaceId });
    return paginate(qb, args);
  }

  /** Adds entries (an entry already listed is returned as it is) and excludes matching active leads. */
  async add(viewer: Viewer, inputs: DoNotContactInput[], source = 'operator'): Promise<DoNotContact[]> {
    if (inputs.length === 0 || inputs.length > MAX_ENTRIES_PER_CALL) {
      throw new InputError(`Give between 1 and ${MAX_ENTRIES_PER_CALL} entries`);
    }
    const entries = inputs.map((input, i) => normalizeEntry(input, i));
    return this.dataSource.transaction(async (em) => {
      const saved: DoNotContact[] = [];
      for (const entry of entries) {
        const existing = await em
          .getRepository(DoNotContact)
          .createQueryBuilder('d')
          .where('d.workspace_id = :ws', { ws: viewer.workspaceId })
          .andWhere('(d.public_identifier = :pub OR d.provider_id = :mid)', { pub: entry.publicIdentifier, mid: entry.providerId })
          .getOne();
        if (existing) {
          // Complete an entry known by one identifier with the other.
          existing.publicIdentifier ??= entry.publicIdentifier;
          existing.providerId ??= entry.providerId;
          saved.push(await em.save(existing));
          continue;
        }
        saved.push(await em.save(em.create(DoNotContact, { ...entry, workspaceId: viewer.workspaceId, source })));
      }
      await excludeActiveLeads(
        em,
        {
          workspaceId: viewer.workspaceId,
          publicIdentifiers: saved.flatMap((d) => (d.publicIdentifier ? [d.publicIdentifier] : [])),
          providerIds: saved.flatMap((d) => (d.providerId ? [d.providerId] : [])),
        },
        'DO_NOT_CONTACT',
        this.clock.now(),
        EventSource.OPERATOR,
      );
      return saved;
    });
  }

  async remove(viewer: Viewer, id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(DoNotContact).delete({ id, workspaceId: viewer.workspaceId });
    if (!result.affected) throw new NotFoundError('Do-not-contact entry', id);
    return true;
  }
}

function normalizeEntry(input: DoNotContactInput, index: number) {
  const fail = (message: string) =>
    new InputError(message, { fields: [{ field: `entries[${index}]`, constraints: [message] }] });
  if (!input.publicIdentifier?.trim() && !input.providerId?.trim()) throw fail('a public identifier or a provider id is required');
  const publicIdentifier = input.publicIdentifier?.trim() ? normalizePublicIdentifier(input.publicIdentifier) : null;
  if (publicIdentifier === undefined) throw fail(`"${input.publicIdentifier}" is not a LinkedIn public identifier or profile URL`);
  const providerId = input.providerId?.trim() ? normalizeProviderId(input.providerId) : null;
  if (providerId === undefined) throw fail(`"${input.providerId}" is not a LinkedIn member id`);
  return { publicIdentifier, providerId, reason: input.reason?.trim() || null };
}
