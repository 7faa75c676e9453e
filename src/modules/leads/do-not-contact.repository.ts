import type { EntityManager } from 'typeorm';
import { type Page, paginate } from '../../core/graphql/pagination';
import { DoNotContact } from './do-not-contact.entity';
import type { PersonKeys } from './lead-identity';

/** A new entry of a workspace's list (the database sets id and created_at). */
export type NewDoNotContact = Pick<DoNotContact, 'workspaceId' | 'publicIdentifier' | 'providerId' | 'reason' | 'source'>;

/** The do_not_contact table: workspaces' suppression lists. */
export class DoNotContactRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): DoNotContactRepository {
    return new DoNotContactRepository(em);
  }

  page(workspaceId: string, args: { first: number; after?: string | null }): Promise<Page<DoNotContact>> {
    return paginate(this.db.getRepository(DoNotContact).createQueryBuilder('d').where('d.workspace_id = :ws', { ws: workspaceId }), args);
  }

  /** The workspace's entry for this person (either identifier matching), if any. */
  findEntry(workspaceId: string, person: PersonKeys): Promise<DoNotContact | null> {
    return this.db
      .getRepository(DoNotContact)
      .createQueryBuilder('d')
      .where('d.workspace_id = :ws', { ws: workspaceId })
      .andWhere('(d.public_identifier = :pub OR d.provider_id = :mid)', { pub: person.publicIdentifier, mid: person.providerId })
      .getOne();
  }

  /** Saves an entry read before (its identifiers completed). */
  save(entry: DoNotContact): Promise<DoNotContact> {
    return this.db.save(entry);
  }

  add(entry: NewDoNotContact): Promise<DoNotContact> {
    return this.db.save(this.db.create(DoNotContact, entry));
  }

  /** Deletes the workspace's entry; false when there is none. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db.getRepository(DoNotContact).delete({ id, workspaceId });
    return Boolean(result.affected);
  }

  /** The identifiers of the workspace's entries matching any of these. */
  async matching(workspaceId: string, publicIdentifiers: string[], providerIds: string[]): Promise<PersonKeys[]> {
    const rows: Array<{ public_identifier: string | null; provider_id: string | null }> = await this.db.query(
      `SELECT public_identifier, provider_id FROM do_not_contact
       WHERE workspace_id = $1 AND (public_identifier = ANY($2) OR provider_id = ANY($3))`,
      [workspaceId, publicIdentifiers, providerIds],
    );
    return rows.map((r) => ({ publicIdentifier: r.public_identifier, providerId: r.provider_id }));
  }

  /** Lists a lead who replied with an opt-out phrase, unless the person is listed already. */
  async addOptOut(person: PersonKeys & { workspaceId: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO do_not_contact (workspace_id, public_identifier, provider_id, reason, source)
       SELECT $1, $2, $3, 'Replied with an opt-out phrase', 'opt_out'
       WHERE NOT EXISTS (SELECT 1 FROM do_not_contact WHERE workspace_id = $1 AND (public_identifier = $2 OR provider_id = $3))`,
      [person.workspaceId, person.publicIdentifier, person.providerId],
    );
  }
}
