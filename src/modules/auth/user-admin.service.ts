import type { Clock } from '../../core/clock';
import type { Transactional, TransactionRunner } from '../../core/db/transaction';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../core/errors';
import type { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import { cannotChangeSelf, lastAdmin, lastOperator, operatorMustBeAdmin, userDeactivated } from './auth.errors';
import { publishRevocation } from './session-revocations';
import { Role } from '../../core/graphql/viewer';
import type { User } from './user.entity';
import type { UserRepository } from './user.repository';
import type { Viewer } from '../../core/graphql/viewer';

type Users = Pick<UserRepository, 'lockUserChanges' | 'findActor' | 'findInWorkspace' | 'update' | 'delete' | 'bumpTokenVersion' | 'countActive'>;
type LiveEvents = Pick<LiveEventRepository, 'publish'>;

export type UserAdminRepositories = { users: Transactional<Users>; liveEvents: Transactional<LiveEvents> };

/** The repositories of one change, bound to its transaction. */
type InTransaction = { users: Users; liveEvents: LiveEvents };

/**
 * A workspace admin's changes to the other users of their workspace: role, operator status (by
 * an operator only), deactivation, deletion. Never on oneself; an operator only by an operator;
 * never leaving the workspace without an active admin nor the instance without an active operator.
 * Whatever takes power away (a role or operator change, deactivation, deletion) ends every
 * session of that user at once: their token version is bumped and their WebSockets are closed.
 */
export class UserAdminService {
  private readonly users: Transactional<Users>;
  private readonly liveEvents: Transactional<LiveEvents>;

  constructor(
    private readonly db: TransactionRunner,
    repositories: UserAdminRepositories,
    private readonly clock: Clock,
  ) {
    this.users = repositories.users;
    this.liveEvents = repositories.liveEvents;
  }

  setRole(viewer: Viewer, userId: string, role: Role): Promise<User> {
    return this.change(viewer, userId, async (tx, user) => {
      if (user.role === role) return user;
      if (user.operator && role !== Role.ADMIN) throw operatorMustBeAdmin();
      user.role = role;
      await tx.users.update(user.id, { role });
      return this.endSessions(tx, user);
    });
  }

  setOperator(viewer: Viewer, userId: string, operator: boolean): Promise<User> {
    return this.change(viewer, userId, async (tx, user) => {
      if (user.operator === operator) return user;
      if (operator && user.role !== Role.ADMIN) throw operatorMustBeAdmin();
      if (operator && user.deactivatedAt) throw userDeactivated(user.id);
      user.operator = operator;
      await tx.users.update(user.id, { operator });
      return this.endSessions(tx, user);
    });
  }

  deactivate(viewer: Viewer, userId: string): Promise<User> {
    return this.change(viewer, userId, async (tx, user) => {
      if (user.deactivatedAt) return user;
      user.deactivatedAt = this.clock.now();
      await tx.users.update(user.id, { deactivatedAt: user.deactivatedAt });
      return this.endSessions(tx, user);
    });
  }

  /** Signs-in work again; tokens from before the deactivation stay revoked. */
  reactivate(viewer: Viewer, userId: string): Promise<User> {
    return this.change(viewer, userId, async (tx, user) => {
      if (!user.deactivatedAt) return user;
      user.deactivatedAt = null;
      await tx.users.update(user.id, { deactivatedAt: null });
      return user;
    });
  }

  /**
   * Deletes the user. History stays: audit entries keep the email (their user id becomes null),
   * events and imports keep the id they recorded.
   */
  async delete(viewer: Viewer, userId: string): Promise<string> {
    await this.change(viewer, userId, async (tx, user) => {
      await tx.users.delete(user.id);
      await publishRevocation(tx.liveEvents, { workspaceId: user.workspaceId, userId: user.id, belowVersion: user.tokenVersion + 1 });
      return user;
    });
    return userId;
  }

  /**
   * One change, serialised with every other user change of the instance (rare, and the invariants
   * span workspaces), with the caller re-checked inside the lock: a caller whose own session was
   * just ended (deactivated, demoted) changes nothing.
   */
  private change(viewer: Viewer, userId: string, apply: (tx: InTransaction, user: User) => Promise<User>): Promise<User> {
    return this.db.transaction(async (em) => {
      const tx: InTransaction = { users: this.users.withManager(em), liveEvents: this.liveEvents.withManager(em) };
      await tx.users.lockUserChanges();
      const actor = await tx.users.findActor(viewer);
      if (!actor) throw new UnauthenticatedError('Your session ended; sign in again');
      if (actor.role !== Role.ADMIN) throw new ForbiddenError('Requires role ADMIN');
      const user = await tx.users.findInWorkspace(userId, viewer.workspaceId);
      if (!user) throw new NotFoundError('User', userId);
      if (user.id === viewer.userId) throw cannotChangeSelf();
      if (user.operator && !actor.operator) throw new ForbiddenError('Only an instance operator can change an operator');
      const changed = await apply(tx, user);
      await this.assertInvariants(tx.users, viewer.workspaceId);
      return changed;
    });
  }

  private async endSessions(tx: InTransaction, user: User): Promise<User> {
    await tx.users.bumpTokenVersion(user.id);
    user.tokenVersion += 1;
    await publishRevocation(tx.liveEvents, { workspaceId: user.workspaceId, userId: user.id, belowVersion: user.tokenVersion });
    return user;
  }

  private async assertInvariants(users: Users, workspaceId: string): Promise<void> {
    const active = await users.countActive(workspaceId);
    if (active.admins === 0) throw lastAdmin();
    if (active.operators === 0) throw lastOperator();
  }
}
