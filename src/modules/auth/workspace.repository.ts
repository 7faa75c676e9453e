import type { EntityManager } from 'typeorm';
import { updateReturning } from '../../core/db/update-returning';
import { Workspace } from './workspace.entity';

type TokenVersionRow = { token_version: number };

const toTokenVersion = (row: TokenVersionRow): number => row.token_version;

/** The workspace table; `withManager(em)` gives the same statements inside `em`'s transaction. */
export class WorkspaceRepository {
  constructor(private readonly db: EntityManager) {}

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): WorkspaceRepository {
    return new WorkspaceRepository(em);
  }

  insert(name: string): Promise<Workspace> {
    return this.db.save(this.db.create(Workspace, { name }));
  }

  /** Revokes every token of the workspace (they carry the version they were issued under); returns the new version. */
  async bumpTokenVersion(id: string): Promise<number> {
    const [row] = await updateReturning<TokenVersionRow>(this.db, `UPDATE workspace SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`, [id]);
    if (!row) throw new Error(`workspace ${id} does not exist`);
    return toTokenVersion(row);
  }
}
