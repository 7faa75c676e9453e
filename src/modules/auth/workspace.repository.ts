import type { EntityManager } from 'typeorm';
import { updateReturning } from '../../core/db/update-returning';
import { Workspace } from './workspace.entity';

type TokenVersionRow = { token_version: number };

const toTokenVersion = (row: TokenVersionRow): number => row.token_version;

/** The workspace table. Every method runs on the data source, or in the transaction of `em` when given. */
export class WorkspaceRepository {
  constructor(private readonly db: EntityManager) {}

  insert(name: string, em: EntityManager = this.db): Promise<Workspace> {
    return em.save(em.create(Workspace, { name }));
  }

  /** Revokes every token of the workspace (they carry the version they were issued under); returns the new version. */
  async bumpTokenVersion(id: string, em: EntityManager = this.db): Promise<number> {
    const [row] = await updateReturning<TokenVersionRow>(em, `UPDATE workspace SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`, [id]);
    if (!row) throw new Error(`workspace ${id} does not exist`);
    return toTokenVersion(row);
  }
}
