import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import type { Transactional, TransactionRunner } from '../../core/db/transaction';
import { NotFoundError, UnauthenticatedError } from '../../core/errors';
import type { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import { emailTaken, emailUnavailable, invalidCredentials } from './auth.errors';
import type { AuthPayload, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import type { LoginThrottle } from './login-throttle';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { assertPasswordStrength } from './password-policy';
import { publishRevocation } from './session-revocations';
import type { TokenService } from './token.service';
import { Role } from '../../core/graphql/viewer';
import type { User } from './user.entity';
import type { SessionKey, UserRepository } from './user.repository';
import type { Viewer } from '../../core/graphql/viewer';
import type { WorkspaceRepository } from './workspace.repository';

type Users = Pick<
  UserRepository,
  | 'findByEmailWithWorkspace'
  | 'findSessionUser'
  | 'findProfile'
  | 'findById'
  | 'getWithWorkspace'
  | 'listByWorkspace'
  | 'findByEmail'
  | 'insert'
  | 'update'
  | 'count'
  | 'replacePassword'
  | 'lockFirstStart'
>;

export type AuthRepositories = {
  users: Transactional<Users>;
  workspaces: Transactional<Pick<WorkspaceRepository, 'insert' | 'bumpTokenVersion'>>;
  liveEvents: Transactional<Pick<LiveEventRepository, 'publish'>>;
};

/** A session as a token (or a dashboard session) carries it. */
export type SessionClaims = SessionKey & { expiresAt: Date };

export class AuthService {
  private readonly users: AuthRepositories['users'];
  private readonly workspaces: AuthRepositories['workspaces'];
  private readonly liveEvents: AuthRepositories['liveEvents'];

  constructor(
    private readonly db: TransactionRunner,
    repositories: AuthRepositories,
    private readonly throttle: Pick<LoginThrottle, 'guard'>,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {
    this.users = repositories.users;
    this.workspaces = repositories.workspaces;
    this.liveEvents = repositories.liveEvents;
  }

  /**
   * A session token for right credentials. Every password check is reserved first; one past the
   * limit of its email or client address is refused before the password is looked at
   * (ACCOUNT_LOCKED / TOO_MANY_ATTEMPTS), whether or not the email exists. A deactivated user gets the answer of a
   * wrong password (after the same check), so the password of a disabled account is never confirmed.
   */
  async login(email: string, password: string, clientIp?: string): Promise<AuthPayload> {
    const normalized = email.trim().toLowerCase();
    const user = await this.users.findByEmailWithWorkspace(normalized);
    // Reserved before the password is checked, so parallel attempts cannot outrun the limit.
    const valid = await this.throttle.guard(normalized, clientIp, this.clock.now(), async () =>
      user ? (await verifyPassword(user.passwordHash, password)) && !user.deactivatedAt : burnPasswordCheck(password).then(() => false),
    );
    if (!user || !valid) throw invalidCredentials();
    user.lastLoginAt = this.clock.now();
    await this.users.update(user.id, { lastLoginAt: user.lastLoginAt });
    return this.session(user, user.workspace!.tokenVersion);
  }

  /**
   * The viewer behind a token, or undefined when the token is invalid, was issued before its
   * workspace's or its user's tokens were revoked, or its user is deactivated or no longer exists.
   */
  async authenticate(token: string | undefined): Promise<Viewer | undefined> {
    const claims = token ? this.tokens.verify(token) : undefined;
    if (!claims) return undefined;
    return this.sessionViewer({
      userId: claims.sub,
      workspaceId: claims.wid,
      tokenVersion: claims.tv,
      userTokenVersion: claims.uv,
      expiresAt: new Date(claims.exp * 1000),
    });
  }

  /**
   * The viewer of a session (a verified token's claims), or undefined when its user no longer
   * exists in that workspace, is deactivated, or the workspace's or the user's tokens were revoked since.
   */
  async sessionViewer(session: SessionClaims): Promise<Viewer | undefined> {
    // Every authenticated request runs this, so the token versions are checked in the database each
    // time (a revocation applies at once, on every instance): one prepared, indexed statement.
    const user = await this.users.findSessionUser(session);
    if (!user) return undefined;
    return {
      userId: user.id,
      workspaceId: user.workspaceId,
      role: user.role,
      operator: user.operator,
      email: user.email,
      expiresAt: session.expiresAt,
      tokenVersion: session.tokenVersion,
      userTokenVersion: session.userTokenVersion,
    };
  }

  /** Signs out everyone in the caller's workspace (bumps its token version); the caller gets a fresh token. */
  async revokeAllTokens(viewer: Viewer): Promise<AuthPayload> {
    const version = await this.db.transaction(async (em) => {
      const tokenVersion = await this.workspaces.withManager(em).bumpTokenVersion(viewer.workspaceId);
      await publishRevocation(this.liveEvents.withManager(em), { workspaceId: viewer.workspaceId, userId: null, belowVersion: tokenVersion });
      return tokenVersion;
    });
    return this.session(await this.current(viewer.userId), version);
  }

  /**
   * A new password for the caller, given the current one (counted by the login throttle like a
   * sign-in, so a stolen token cannot guess it). Every other session of the user ends (its token
   * version is bumped and its WebSockets are closed); the caller gets a fresh token.
   */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string, clientIp?: string): Promise<AuthPayload> {
    const user = await this.current(viewer.userId);
    const valid = await this.throttle.guard(viewer.email, clientIp, this.clock.now(), () => verifyPassword(user.passwordHash, currentPassword));
    if (!valid) throw invalidCredentials();
    assertPasswordStrength(newPassword, user.email);
    const passwordHash = await hashPassword(newPassword);
    const updated = await this.db.transaction(async (em) => {
      const users = this.users.withManager(em);
      // Only if the session is still the one that was checked (no revocation in between).
      const tokenVersion = await users.replacePassword(viewer.userId, viewer.userTokenVersion, passwordHash);
      if (tokenVersion === undefined) throw new UnauthenticatedError('Your session ended; sign in again');
      await publishRevocation(this.liveEvents.withManager(em), { workspaceId: viewer.workspaceId, userId: viewer.userId, belowVersion: tokenVersion });
      return users.getWithWorkspace(viewer.userId);
    });
    return this.session(updated, updated.workspace!.tokenVersion);
  }

  private session(user: User, tokenVersion: number): AuthPayload {
    const { token, expiresAt } = this.tokens.issue({
      sub: user.id,
      wid: user.workspaceId,
      role: user.role,
      op: user.operator,
      email: user.email,
      tv: tokenVersion,
      uv: user.tokenVersion,
    });
    return { token, expiresAt, user };
  }

  private async current(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  async me(viewer: Viewer): Promise<User> {
    const user = await this.users.findProfile(viewer.userId, viewer.workspaceId);
    if (!user) throw new NotFoundError('User', viewer.userId);
    return user;
  }

  listUsers(viewer: Viewer): Promise<User[]> {
    return this.users.listByWorkspace(viewer.workspaceId);
  }

  /**
   * A user in the caller's workspace. An email of this workspace's users is EMAIL_TAKEN; an email
   * used anywhere else on the instance is EMAIL_UNAVAILABLE, which says neither that nor where the
   * address exists (sign-in is by email, so an address can have one user on the whole instance).
   */
  async createUser(viewer: Viewer, input: CreateUserInput): Promise<User> {
    return this.db.transaction(async (em) => this.insertUser(this.users.withManager(em), viewer.workspaceId, input.email, input.password, input.role, false));
  }

  /** A new tenant with its first admin (not an operator); the calling operator gets no access to it. */
  async createWorkspace(input: CreateWorkspaceInput): Promise<CreateWorkspacePayload> {
    return this.db.transaction(async (em) => {
      const workspace = await this.workspaces.withManager(em).insert(input.name.trim());
      const admin = await this.insertUser(this.users.withManager(em), workspace.id, input.adminEmail, input.adminPassword, Role.ADMIN, false);
      return { workspace, admin };
    });
  }

  /** On an empty database: the first workspace and its admin, the instance operator. Returns what was created, if anything. */
  async bootstrapAdmin(admin: { email: string; password: string }): Promise<User | undefined> {
    return this.db.transaction(async (em) => {
      const users = this.users.withManager(em);
      // Serialise concurrent first starts (API and worker booting together).
      await users.lockFirstStart();
      if ((await users.count()) > 0) return undefined;
      const workspace = await this.workspaces.withManager(em).insert('Default workspace');
      return this.insertUser(users, workspace.id, admin.email, admin.password, Role.ADMIN, true);
    });
  }

  /** Inserts with `users` bound to the caller's transaction. */
  private async insertUser(users: Users, workspaceId: string, email: string, password: string, role: Role, operator: boolean): Promise<User> {
    const normalized = email.trim().toLowerCase();
    assertPasswordStrength(password, normalized);
    const existing = await users.findByEmail(normalized);
    if (existing) throw existing.workspaceId === workspaceId ? emailTaken(normalized) : emailUnavailable();
    const passwordHash = await hashPassword(password);
    try {
      return await users.insert({ workspaceId, email: normalized, passwordHash, role, operator, lastLoginAt: null });
    } catch (error) {
      // A concurrent insert of the same email won the race on the unique index (its workspace is
      // not read: this transaction is aborted).
      if (isUniqueViolation(error)) throw emailUnavailable();
      throw error;
    }
  }
}
