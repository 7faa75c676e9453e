import type { EntityManager } from 'typeorm';
import { Role, type Viewer } from '../../src/core/graphql/viewer';
import type { LiveTopic } from '../../src/core/pubsub/live-event-feed';
import { UserAdminService, type UserAdminRepositories } from '../../src/modules/auth/user-admin.service';
import { User } from '../../src/modules/auth/user.entity';
import type { ActiveCounts, ActorRights, SessionKey, UserChanges } from '../../src/modules/auth/user.repository';
import { VirtualClock } from '../../src/core/clock';

const WS = 'ws-1';
const OTHER_WS = 'ws-2';

type Published = { workspaceId: string; topic: LiveTopic; payload: Record<string, unknown> };
type Repositories = UserAdminRepositories;
type UsersRepository = Repositories['users'];
type LiveEventsRepository = Repositories['liveEvents'];
type Users = ReturnType<UsersRepository['withManager']>;
type LiveEvents = ReturnType<LiveEventsRepository['withManager']>;

/**
 * The users of an instance in memory, behind the repositories UserAdminService uses. A
 * transaction works on a copy that replaces the state only when it commits; every statement must
 * go through repositories bound to the open transaction's manager, after the instance-wide lock.
 */
class FakeDatabase {
  users = new Map<string, User>();
  published: Published[] = [];
  workspaceVersions = new Map<string, number>([
    [WS, 1],
    [OTHER_WS, 1],
  ]);
  /** When set, countActive answers this instead of counting (to reach invariants no caller can break alone). */
  countsOverride?: ActiveCounts;
  tx?: { em: EntityManager; locked: boolean };

  readonly repositories: Repositories = { users: new FakeUsers(this), liveEvents: new FakeLiveEvents(this) };

  add(id: string, attrs: Partial<User> = {}): User {
    const user = Object.assign(new User(), {
      id,
      workspaceId: WS,
      email: `${id}@example.com`,
      passwordHash: 'hash',
      role: Role.ADMIN,
      operator: false,
      tokenVersion: 1,
      deactivatedAt: null,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      lastLoginAt: null,
      ...attrs,
    });
    this.users.set(id, user);
    return user;
  }

  viewer(id: string): Viewer {
    const user = this.users.get(id)!;
    return {
      userId: user.id,
      workspaceId: user.workspaceId,
      role: user.role,
      operator: user.operator,
      email: user.email,
      expiresAt: new Date('2026-02-01T00:00:00Z'),
      tokenVersion: this.workspaceVersions.get(user.workspaceId)!,
      userTokenVersion: user.tokenVersion,
    };
  }

  readonly runner = {
    transaction: async <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => {
      const saved = { users: this.users, published: this.published };
      this.users = new Map([...this.users].map(([id, u]) => [id, Object.assign(new User(), u)]));
      this.published = [...this.published];
      this.tx = { em: Object.create(null) as EntityManager, locked: false };
      try {
        return await work(this.tx.em);
      } catch (error) {
        this.users = saved.users;
        this.published = saved.published;
        throw error;
      } finally {
        this.tx = undefined;
      }
    },
  };

  /** Throws unless `em` (a repository's manager) is the open transaction's, holding the lock. */
  inLockedTransaction(em: EntityManager | undefined): void {
    if (!this.tx || this.tx.em !== em || !this.tx.locked) throw new Error('a statement outside the locked transaction');
  }
}

/** app_user; unbound (no `em`) it refuses every statement, as the service must bind it to its transaction. */
class FakeUsers implements UsersRepository {
  constructor(
    private readonly db: FakeDatabase,
    private readonly em?: EntityManager,
  ) {}

  withManager(em: EntityManager): Users {
    return new FakeUsers(this.db, em);
  }

  async lockUserChanges(): Promise<void> {
    if (!this.db.tx || this.db.tx.em !== this.em) throw new Error('lock outside the transaction');
    this.db.tx.locked = true;
  }

  async findActor(session: SessionKey): Promise<ActorRights | undefined> {
    this.db.inLockedTransaction(this.em);
    const user = this.db.users.get(session.userId);
    const valid =
      user &&
      user.workspaceId === session.workspaceId &&
      user.tokenVersion === session.userTokenVersion &&
      this.db.workspaceVersions.get(user.workspaceId) === session.tokenVersion &&
      !user.deactivatedAt;
    return valid ? { role: user.role, operator: user.operator } : undefined;
  }

  async findInWorkspace(id: string, workspaceId: string): Promise<User | null> {
    this.db.inLockedTransaction(this.em);
    const user = this.db.users.get(id);
    return user && user.workspaceId === workspaceId ? Object.assign(new User(), user) : null;
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    this.db.inLockedTransaction(this.em);
    Object.assign(this.db.users.get(id)!, changes);
  }

  async delete(id: string): Promise<void> {
    this.db.inLockedTransaction(this.em);
    this.db.users.delete(id);
  }

  async bumpTokenVersion(id: string): Promise<void> {
    this.db.inLockedTransaction(this.em);
    this.db.users.get(id)!.tokenVersion += 1;
  }

  async countActive(workspaceId: string): Promise<ActiveCounts> {
    this.db.inLockedTransaction(this.em);
    if (this.db.countsOverride) return this.db.countsOverride;
    const active = [...this.db.users.values()].filter((u) => !u.deactivatedAt);
    return {
      admins: active.filter((u) => u.workspaceId === workspaceId && u.role === Role.ADMIN).length,
      operators: active.filter((u) => u.operator).length,
    };
  }
}

/** live_event; a revocation published outside the change's transaction fails. */
class FakeLiveEvents implements LiveEventsRepository {
  constructor(
    private readonly db: FakeDatabase,
    private readonly em?: EntityManager,
  ) {}

  withManager(em: EntityManager): LiveEvents {
    return new FakeLiveEvents(this.db, em);
  }

  async publish(workspaceId: string, topic: LiveTopic, payload: Record<string, unknown>): Promise<void> {
    this.db.inLockedTransaction(this.em);
    this.db.published.push({ workspaceId, topic, payload });
  }
}

describe(UserAdminService.name, () => {
  let db: FakeDatabase;
  let clock: VirtualClock;
  let service: UserAdminService;

  beforeEach(() => {
    db = new FakeDatabase();
    clock = new VirtualClock('2026-01-10T12:00:00Z');
    service = new UserAdminService(db.runner, db.repositories, clock);
    db.add('operator', { operator: true });
    db.add('admin');
    db.add('member', { role: Role.MEMBER });
    db.add('stranger', { workspaceId: OTHER_WS });
  });

  it('should demote an admin and end their sessions when an admin changes their role', async () => {
    // Act
    const user = await service.setRole(db.viewer('operator'), 'admin', Role.MEMBER);

    // Assert
    expect(user).toMatchObject({ id: 'admin', role: Role.MEMBER, tokenVersion: 2 });
    expect(db.users.get('admin')).toMatchObject({ role: Role.MEMBER, tokenVersion: 2 });
    expect(db.published).toEqual([{ workspaceId: WS, topic: 'SESSIONS_REVOKED', payload: { userId: 'admin', belowVersion: 2 } }]);
  });

  it('should change nothing and end no session when the role is already the one asked for', async () => {
    const user = await service.setRole(db.viewer('admin'), 'member', Role.MEMBER);

    expect(user.tokenVersion).toBe(1);
    expect(db.published).toEqual([]);
  });

  it('should refuse with UNAUTHENTICATED when the caller was revoked before the change', async () => {
    const viewer = db.viewer('admin');
    db.users.get('admin')!.tokenVersion = 2;

    await expect(service.setRole(viewer, 'member', Role.ADMIN)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(db.users.get('member')!.role).toBe(Role.MEMBER);
  });

  it('should refuse with UNAUTHENTICATED when the caller was deactivated meanwhile', async () => {
    const viewer = db.viewer('admin');
    db.users.get('admin')!.deactivatedAt = clock.now();

    await expect(service.deactivate(viewer, 'member')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('should refuse with FORBIDDEN when the caller is a member by now', async () => {
    await expect(service.deactivate(db.viewer('member'), 'admin')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(db.users.get('admin')!.deactivatedAt).toBeNull();
  });

  it('should answer NOT_FOUND when the user is in another workspace', async () => {
    await expect(service.deactivate(db.viewer('admin'), 'stranger')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(db.users.get('stranger')!.deactivatedAt).toBeNull();
  });

  it('should refuse with CANNOT_CHANGE_SELF when the caller targets themselves', async () => {
    await expect(service.setRole(db.viewer('admin'), 'admin', Role.MEMBER)).rejects.toMatchObject({ code: 'CANNOT_CHANGE_SELF' });
    await expect(service.delete(db.viewer('admin'), 'admin')).rejects.toMatchObject({ code: 'CANNOT_CHANGE_SELF' });
  });

  it('should refuse with FORBIDDEN when an admin who is no operator changes an operator', async () => {
    await expect(service.deactivate(db.viewer('admin'), 'operator')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(db.users.get('operator')!.deactivatedAt).toBeNull();
  });

  it('should refuse with OPERATOR_MUST_BE_ADMIN when an operator would become a member', async () => {
    db.add('operator2', { operator: true });

    await expect(service.setRole(db.viewer('operator'), 'operator2', Role.MEMBER)).rejects.toMatchObject({ code: 'OPERATOR_MUST_BE_ADMIN' });
  });

  it('should refuse operator to a member (OPERATOR_MUST_BE_ADMIN) and to a deactivated admin (USER_DEACTIVATED)', async () => {
    db.add('inactive', { deactivatedAt: new Date('2026-01-02T00:00:00Z') });

    await expect(service.setOperator(db.viewer('operator'), 'member', true)).rejects.toMatchObject({ code: 'OPERATOR_MUST_BE_ADMIN' });
    await expect(service.setOperator(db.viewer('operator'), 'inactive', true)).rejects.toMatchObject({ code: 'USER_DEACTIVATED' });
    expect(db.published).toEqual([]);
  });

  it('should grant operator to an active admin and end their sessions when an operator asks', async () => {
    const user = await service.setOperator(db.viewer('operator'), 'admin', true);

    expect(user).toMatchObject({ operator: true, tokenVersion: 2 });
    expect(db.published).toEqual([{ workspaceId: WS, topic: 'SESSIONS_REVOKED', payload: { userId: 'admin', belowVersion: 2 } }]);
  });

  it('should stamp the deactivation with the clock and end the sessions when a user is deactivated', async () => {
    const user = await service.deactivate(db.viewer('admin'), 'member');

    expect(user.deactivatedAt).toEqual(clock.now());
    expect(db.users.get('member')).toMatchObject({ deactivatedAt: clock.now(), tokenVersion: 2 });
    expect(db.published).toHaveLength(1);
  });

  it('should leave old tokens revoked when a user is reactivated', async () => {
    await service.deactivate(db.viewer('admin'), 'member');

    const user = await service.reactivate(db.viewer('admin'), 'member');

    expect(user).toMatchObject({ deactivatedAt: null, tokenVersion: 2 });
    expect(db.published).toHaveLength(1);
  });

  it('should delete the user and revoke every token up to its version when a user is deleted', async () => {
    const id = await service.delete(db.viewer('admin'), 'member');

    expect(id).toBe('member');
    expect(db.users.has('member')).toBe(false);
    expect(db.published).toEqual([{ workspaceId: WS, topic: 'SESSIONS_REVOKED', payload: { userId: 'member', belowVersion: 2 } }]);
  });

  it('should roll the change back with LAST_ADMIN when no active admin would be left', async () => {
    db.countsOverride = { admins: 0, operators: 1 };

    await expect(service.setRole(db.viewer('operator'), 'admin', Role.MEMBER)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    expect(db.users.get('admin')).toMatchObject({ role: Role.ADMIN, tokenVersion: 1 });
    expect(db.published).toEqual([]);
  });

  it('should roll the change back with LAST_OPERATOR when no active operator would be left', async () => {
    db.countsOverride = { admins: 1, operators: 0 };

    await expect(service.deactivate(db.viewer('admin'), 'member')).rejects.toMatchObject({ code: 'LAST_OPERATOR' });
    expect(db.users.get('member')!.deactivatedAt).toBeNull();
    expect(db.published).toEqual([]);
  });
});
