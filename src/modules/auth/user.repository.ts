import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { preparedQuery } from '../../core/db/prepared-query';
import { updateReturning } from '../../core/db/update-returning';
import type { Role, Viewer } from '../../core/graphql/viewer';
import { User } from './user.entity';

/** Who a session says it is, with the token versions it was issued under. */
export type SessionKey = Pick<Viewer, 'userId' | 'workspaceId' | 'tokenVersion' | 'userTokenVersion'>;

/** The user of a session that is still valid (see findSessionUser). */
export type SessionUser = { id: string; workspaceId: string; role: Role; operator: boolean; email: string };

/** What a caller may do, as the database says now. */
export type ActorRights = { role: Role; operator: boolean };

/** Active admins of a workspace and active operators of the instance. */
export type ActiveCounts = { admins: number; operators: number };

/** A user without the password hash, its workspace or its token version (what `me` shows). */
export type UserProfile = Omit<User, 'passwordHash' | 'workspace' | 'tokenVersion'>;

export type NewUser = Pick<User, 'workspaceId' | 'email' | 'passwordHash' | 'role' | 'operator' | 'lastLoginAt'>;

/** The columns an admin or a sign-in changes in place. */
export type UserChanges = Partial<Pick<User, 'role' | 'operator' | 'deactivatedAt' | 'lastLoginAt'>>;

type SessionUserRow = { id: string; workspace_id: string; role: Role; operator: boolean; email: string };
type ActorRow = { role: Role; operator: boolean };

// The user of a token: still there, in that workspace, active, and neither the workspace's nor
// the user's tokens revoked since it was issued.
const SESSION_USER_SQL = `SELECT u.id, u.workspace_id, u.role, u.operator, u.email FROM app_user u JOIN workspace w ON w.id = u.workspace_id
  WHERE u.id = $1 AND u.workspace_id = $2 AND w.token_version = $3 AND u.token_version = $4 AND u.deactivated_at IS NULL`;

const PROFILE_SQL = `SELECT id, workspace_id AS "workspaceId", email, role, operator, deactivated_at AS "deactivatedAt",
              created_at AS "createdAt", last_login_at AS "lastLoginAt"
       FROM app_user WHERE id = $1 AND workspace_id = $2`;

const activeCountsSchema = z.object({ admins: z.coerce.number().int(), operators: z.coerce.number().int() });

const toSessionUser = (r: SessionUserRow): SessionUser => ({ id: r.id, workspaceId: r.workspace_id, role: r.role, operator: r.operator, email: r.email });
const toActorRights = (r: ActorRow): ActorRights => ({ role: r.role, operator: r.operator });
const toProfile = (r: UserProfile): User => Object.assign(new User(), r);

/** The app_user table; `withManager(em)` gives the same statements inside `em`'s transaction. */
export class UserRepository {
  // Run on every authenticated request (and `me`, the cheapest one): named prepared statements,
  // one per process, shared by the copies bound to a transaction.
  private readonly sessionUserLookup: ReturnType<typeof preparedQuery<SessionUserRow>>;
  private readonly profileLookup: ReturnType<typeof preparedQuery<UserProfile>>;

  constructor(
    private readonly db: EntityManager,
    shared?: UserRepository,
  ) {
    this.sessionUserLookup = shared?.sessionUserLookup ?? preparedQuery<SessionUserRow>(db.dataSource, SESSION_USER_SQL);
    this.profileLookup = shared?.profileLookup ?? preparedQuery<UserProfile>(db.dataSource, PROFILE_SQL);
  }

  /** The same statements, inside `em`'s transaction. */
  withManager(em: EntityManager): UserRepository {
    return new UserRepository(em, this);
  }

  /** The user of a session, if it still exists in that workspace, is active, and neither token version moved on. */
  async findSessionUser(session: SessionKey): Promise<SessionUser | undefined> {
    const [row] = await this.sessionUserLookup([session.userId, session.workspaceId, session.tokenVersion, session.userTokenVersion], this.db);
    return row && toSessionUser(row);
  }

  /** A user of a workspace, without the secrets (a raw lookup by key: no password hash read). */
  async findProfile(userId: string, workspaceId: string): Promise<User | undefined> {
    const [row] = await this.profileLookup([userId, workspaceId], this.db);
    return row && toProfile(row);
  }

  findById(id: string): Promise<User | null> {
    return this.db.findOne(User, { where: { id } });
  }

  /** With its workspace loaded; throws when there is no such user. */
  getWithWorkspace(id: string): Promise<User> {
    return this.db.findOneOrFail(User, { where: { id }, relations: { workspace: true } });
  }

  findInWorkspace(id: string, workspaceId: string): Promise<User | null> {
    return this.db.findOne(User, { where: { id, workspaceId } });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.db.findOne(User, { where: { email: email.toLowerCase() } });
  }

  /** With its workspace loaded (for the token version), in one query. */
  findByEmailWithWorkspace(email: string): Promise<User | null> {
    return this.db.findOne(User, { where: { email: email.toLowerCase() }, relations: { workspace: true } });
  }

  listByWorkspace(workspaceId: string): Promise<User[]> {
    return this.db.find(User, { where: { workspaceId }, order: { createdAt: 'ASC' } });
  }

  count(): Promise<number> {
    return this.db.count(User);
  }

  /** Inserts a user (a unique violation on the email surfaces as the database's error). */
  insert(user: NewUser): Promise<User> {
    return this.db.save(this.db.create(User, user));
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    await this.db.update(User, id, changes);
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(User, id);
  }

  /** Ends every session of the user: tokens carry the version they were issued under. */
  async bumpTokenVersion(id: string): Promise<void> {
    await this.db.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [id]);
  }

  /**
   * A new password hash, with the user's token version bumped, only while the session is the one
   * given (same user token version, user active). Returns the new token version, or undefined.
   */
  async replacePassword(userId: string, userTokenVersion: number, passwordHash: string): Promise<number | undefined> {
    const rows = await updateReturning<{ token_version: number }>(
      this.db,
      `UPDATE app_user SET password_hash = $3, token_version = token_version + 1
         WHERE id = $1 AND token_version = $2 AND deactivated_at IS NULL RETURNING token_version`,
      [userId, userTokenVersion, passwordHash],
    );
    return rows[0]?.token_version;
  }

  /** The rights of a session's user, when that session is still valid (as findSessionUser). */
  async findActor(session: SessionKey): Promise<ActorRights | undefined> {
    const [row]: ActorRow[] = await this.db.query(
      `SELECT u.role, u.operator FROM app_user u JOIN workspace w ON w.id = u.workspace_id
         WHERE u.id = $1 AND u.workspace_id = $2 AND u.token_version = $3 AND w.token_version = $4 AND u.deactivated_at IS NULL`,
      [session.userId, session.workspaceId, session.userTokenVersion, session.tokenVersion],
    );
    return row && toActorRights(row);
  }

  async countActive(workspaceId: string): Promise<ActiveCounts> {
    const [row] = await this.db.query(
      `SELECT (SELECT count(*) FROM app_user WHERE workspace_id = $1 AND role = 'ADMIN' AND deactivated_at IS NULL)::int AS admins,
              (SELECT count(*) FROM app_user WHERE operator AND deactivated_at IS NULL)::int AS operators`,
      [workspaceId],
    );
    return activeCountsSchema.parse(row);
  }

  /** Serialises user changes across the instance until its transaction ends (call it on a copy bound to one). */
  async lockUserChanges(): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['user-admin']);
  }

  /** Serialises first starts (API and worker booting together) until its transaction ends (call it on a copy bound to one). */
  async lockFirstStart(): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bootstrap-admin']);
  }
}
