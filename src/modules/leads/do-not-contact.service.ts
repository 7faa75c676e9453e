import type { Clock } from '../../core/clock';
import type { TransactionRunner } from '../../core/db/transaction';
import { InputError, NotFoundError } from '../../core/errors';
import type { Page, PageArgs } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import type { DoNotContact } from './do-not-contact.entity';
import type { DoNotContactRepository } from './do-not-contact.repository';
import { EventSource } from './lead-event-type';
import { normalizeProviderId, normalizePublicIdentifier } from './lead-identity';
import type { LeadRepository } from './lead.repository';
import type { DoNotContactInput } from './lead.types';

const MAX_ENTRIES_PER_CALL = 10_000;

/**
 * The workspace's suppression list. Adding someone also takes them out of every active sequence
 * at once; imports report them excluded, and the engine checks the list before each send.
 */
export class DoNotContactService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly entries: DoNotContactRepository,
    private readonly leads: LeadRepository,
    private readonly clock: Clock,
  ) {}

  list(viewer: Viewer, args: PageArgs): Promise<Page<DoNotContact>> {
    return this.entries.page(viewer.workspaceId, args);
  }

  /** Adds entries (an entry already listed is returned as it is) and excludes matching active leads. */
  async add(viewer: Viewer, inputs: DoNotContactInput[], source = 'operator'): Promise<DoNotContact[]> {
    if (inputs.length === 0 || inputs.length > MAX_ENTRIES_PER_CALL) {
      throw new InputError(`Give between 1 and ${MAX_ENTRIES_PER_CALL} entries`);
    }
    const entries = inputs.map((input, i) => normalizeEntry(input, i));
    return this.db.transaction(async (em) => {
      const list = this.entries.withManager(em);
      const saved: DoNotContact[] = [];
      for (const entry of entries) {
        const existing = await list.findEntry(viewer.workspaceId, entry);
        if (existing) {
          // Complete an entry known by one identifier with the other.
          existing.publicIdentifier ??= entry.publicIdentifier;
          existing.providerId ??= entry.providerId;
          saved.push(await list.save(existing));
          continue;
        }
        saved.push(await list.add({ ...entry, workspaceId: viewer.workspaceId, source }));
      }
      await this.leads.withManager(em).excludeActive(
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
    if (!(await this.entries.remove(viewer.workspaceId, id))) throw new NotFoundError('Do-not-contact entry', id);
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
