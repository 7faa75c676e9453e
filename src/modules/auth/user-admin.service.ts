import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../core/errors';
import { cannotChangeSelf, lastAdmin, lastOperator, operatorMustBeAdmin, userDeactivated } from './auth.errors';
import { publishRevocation } from './session-revocations';
import { Role } from '../../core/graphql/viewer';
import { User } from './user.entity';
import type { Viewer } from '../../core/graphql/viewer';

/**
 * A workspace admin's changes to the other users of their workspace: role, operator status (by
 * an operator only), deactivation, deletion. Never on oneself; an operator only by an operator;
 * never leaving the workspace without an active admin nor the instance without an active operator.
 * Whatever takes power away (a role or operator change, deactivation, deletion) ends every
 * session of that user at once: their token version is bumped and their WebSockets are closed.
 */
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  setRole(viewer: Viewer, userId: string, role: Role): Promise<User> {
    return this.change(viewer, userId, async (em, user) => {
      if (user.role === role) return user;
      if (user.operator && role !== Role.ADMIN) throw operatorMustBeAdmin();
      user.role = role;
      await em.update(User, user.id, { role });
      return this.endSessions(em, user);
    });
  }

  setOperator(viewer: Viewer, userId: string, operator: boolean): Promise<User> {
    return this.change(viewer, userId, async (em, user) => {
      if (user.operator === operator) return user;
      if (operator && user.role !== Role.ADMIN) throw operatorMustBeAdmin();
      if (operator && user.deactivatedAt) throw userDeactivated(user.id);
      user.operator = operator;
      await em.update(User, user.id, { operator });
      return this.endSessions(em, user);
    });
  }

  deactivate(viewer: Viewer, userId: string): Promise<User> {
    return this.change(viewer, userId, async (em, user) => {
      if (user.deactivatedAt) return user;
      user.deactivatedAt = this.clock.now();
      await em.update(User, user.id, { deactivatedAt: user.deactivatedAt });
      return this.endSessions(em, user);
    });
  }

  /** Signs-in work again; tokens from before the deactivation stay revoked. */
  reactivate(viewer: Viewer, userId: string): Promise<User> {
    return this.change(viewer, userId, async (em, user) => {
      if (!user.deactivatedAt) return user;
      user.deactivatedAt = null;
      await em.update(User, user.id, { deactivatedAt: null });
      return user;
    });
  }

  /**
   * Deletes the user. History stays: audit entries keep the email (their user id becomes null),
   * events and imports keep the id they recorded.
   */
  async delete(viewer: Viewer, userId: string): Promise<string> {
    await this.change(viewer, userId, async (em, user) => {
      await em.delete(User, user.id);
      await publishRevocation(em, { workspaceId: user.workspaceId, userId: user.id, belowVersion: user.tokenVersion + 1 });
      return user;
    });
    return userId;
  }

  /**
   * One change, serialised with every other user change of the instance (rare, and the invariants
   * span workspaces), with the caller re-checked inside the lock: a caller whose own session was
   * just ended (deactivated, demoted) changes nothing.
   */
  private change(viewer: Viewer, userId: string, apply: (em: EntityManager, user: User) => Promise<User>): Promise<User> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['user-admin']);
      const [actor]: Array<{ role: Role; operator: boolean }> = await em.query(
        `SELECT u.role, u.operator FROM app_user u JOIN workspace w ON w.id = u.workspace_id
         WHERE u.id = $1 AND u.workspace_id = $2 AND u.token_version = $3 AND w.token_version = $4 AND u.deactivated_at IS NULL`,
        [viewer.userId, viewer.workspaceId, viewer.userTokenVersion, viewer.tokenVersion],
      );
      if (!actor) throw new UnauthenticatedError('Your session ended; sign in again');
      if (actor.role !== Role.ADMIN) throw new ForbiddenError('Requires role ADMIN');
      const user = await em.findOne(User, { where: { id: userId, workspaceId: viewer.workspaceId } });
      if (!user) throw new NotFoundError('User', userId);
      if (user.id === viewer.userId) throw cannotChangeSelf();
      if (user.operator && !actor.operator) throw new ForbiddenError('Only an instance operator can change an operator');
      const changed = await apply(em, user);
      await this.assertInvariants(em, viewer.workspaceId);
      return changed;
    });
  }

  private async endSessions(em: EntityManager, user: User): Promise<User> {
    await em.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [user.id]);
    user.tokenVersion += 1;
    await publishRevocation(em, { workspaceId: user.workspaceId, userId: user.id, belowVersion: user.tokenVersion });
    return user;
  }

  private async assertInvariants(em: EntityManager, workspaceId: string): Promise<void> {
    const [row]: Array<{ admins: number; operators: number }> = await em.query(
      `SELECT (SELECT count(*) FROM app_user WHERE workspace_id = $1 AND role = 'ADMIN' AND deactivated_at IS NULL)::int AS admins,
              (SELECT count(*) FROM app_user WHERE operator AND deactivated_at IS NULL)::int AS operators`,
      [workspaceId],
    );
    if (row.admins === 0) throw lastAdmin();
    if (row.operators === 0) throw lastOperator();
  }
}
