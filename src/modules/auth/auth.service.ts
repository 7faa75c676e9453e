import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import { preparedQuery } from '../../core/db/prepared-query';
import { updateReturning } from '../../core/db/update-returning';
import { NotFoundError, UnauthenticatedError } from '../../core/errors';
import { emailTaken, emailUnavailable, invalidCredentials } from './auth.errors';
import type { AuthPayload, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleSettings } from './login-throttle';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { assertPasswordStrength } from './password-policy';
import { publishRevocation } from './session-revocations';
import type { TokenService } from './token.service';
import { Role } from '../../core/graphql/viewer';
import { User } from './user.entity';
import { UserRepository } from './user.repository';
import type { Viewer } from '../../core/graphql/viewer';
import { Workspace } from './workspace.entity';

type ViewerRow = { id: string; workspace_id: string; role: Role; operator: boolean; email: string };

export class AuthService {
  private readonly users: UserRepository;
  private readonly throttle: LoginThrottle;
  private readonly viewerLookup: (params: unknown[]) => Promise<ViewerRow[]>;
  // `me` is the cheapest authenticated operation: a raw lookup by key, no password hash.
  private readonly userLookup: (params: unknown[]) => Promise<Array<Omit<User, 'passwordHash' | 'workspace' | 'tokenVersion'>>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE,
  ) {
    this.users = new UserRepository(dataSource.manager);
    this.throttle = new LoginThrottle(dataSource, throttle);
    this.viewerLookup = preparedQuery(dataSource, VIEWER_SQL);
    this.userLookup = preparedQuery(
      dataSource,
      `SELECT id, workspace_id AS "workspaceId", email, role, operator, deactivated_at AS "deactivatedAt",
              created_at AS "createdAt", last_login_at AS "lastLoginAt"
       FROM app_user WHERE id = $1 AND workspace_id = $2`,
    );
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
    // Every authenticated request runs this, so the token versions are checked in the database each
    // time (a revocation applies at once, on every instance): one prepared, indexed statement.
    const [user] = await this.viewerLookup([claims.sub, claims.wid, claims.tv, claims.uv]);
    if (!user) return undefined;
    return {
      userId: user.id,
      workspaceId: user.workspace_id,
      role: user.role,
      operator: user.operator,
      email: user.email,
      expiresAt: new Date(claims.exp * 1000),
      tokenVersion: claims.tv,
      userTokenVersion: claims.uv,
    };
  }

  /** Signs out everyone in the caller's workspace (bumps its token version); the caller gets a fresh token. */
  async revokeAllTokens(viewer: Viewer): Promise<AuthPayload> {
    const version = await this.dataSource.transaction(async (em) => {
      const rows = await updateReturning<{ token_version: number }>(
        em,
        `UPDATE workspace SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
        [viewer.workspaceId],
      );
      await publishRevocation(em, { workspaceId: viewer.workspaceId, userId: null, belowVersion: rows[0].token_version });
      return rows[0].token_version;
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
    const updated = await this.dataSource.transaction(async (em) => {
      // Only if the session is still the one that was checked (no revocation in between).
      const rows = await updateReturning<{ token_version: number }>(
        em,
        `UPDATE app_user SET password_hash = $3, token_version = token_version + 1
         WHERE id = $1 AND token_version = $2 AND deactivated_at IS NULL RETURNING token_version`,
        [viewer.userId, viewer.userTokenVersion, passwordHash],
      );
      if (rows.length === 0) throw new UnauthenticatedError('Your session ended; sign in again');
      await publishRevocation(em, { workspaceId: viewer.workspaceId, userId: viewer.userId, belowVersion: rows[0].token_version });
      return em.findOneOrFail(User, { where: { id: viewer.userId }, relations: { workspace: true } });
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
    const user = await this.users.findOne({ where: { id: userId } });
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  async me(viewer: Viewer): Promise<User> {
    const [row] = await this.userLookup([viewer.userId, viewer.workspaceId]);
    if (!row) throw new NotFoundError('User', viewer.userId);
    return Object.assign(new User(), row);
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
    return this.dataSource.transaction(async (em) =>
      this.insertUser(new UserRepository(em), viewer.workspaceId, input.email, input.password, input.role, false),
    );
  }

  /** A new tenant with its first admin (not an operator); the calling operator gets no access to it. */
  async createWorkspace(input: CreateWorkspaceInput): Promise<CreateWorkspacePayload> {
    return this.dataSource.transaction(async (em) => {
      const workspace = await em.save(em.create(Workspace, { name: input.name.trim() }));
      const admin = await this.insertUser(new UserRepository(em), workspace.id, input.adminEmail, input.adminPassword, Role.ADMIN, false);
      return { workspace, admin };
    });
  }

  /** On an empty database: the first workspace and its admin, the instance operator. Returns what was created, if anything. */
  async bootstrapAdmin(admin: { email: string; password: string }): Promise<User | undefined> {
    return this.dataSource.transaction(async (em) => {
      // Serialise concurrent first starts (API and worker booting together).
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bootstrap-admin']);
      if ((await em.count(User)) > 0) return undefined;
      const workspace = await em.save(em.create(Workspace, { name: 'Default workspace' }));
      return this.insertUser(new UserRepository(em), workspace.id, admin.email, admin.password, Role.ADMIN, true);
    });
  }

  private async insertUser(users: UserRepository, workspaceId: string, email: string, password: string, role: Role, operator: boolean): Promise<User> {
    const normalized = email.trim().toLowerCase();
    assertPasswordStrength(password, normalized);
    const existing = await users.findByEmail(normalized);
    if (existing) throw existing.workspaceId === workspaceId ? emailTaken(normalized) : emailUnavailable();
    const passwordHash = await hashPassword(password);
    try {
      return await users.save(users.create({ workspaceId, email: normalized, passwordHash, role, operator, lastLoginAt: null }));
    } catch (error) {
      // A concurrent insert of the same email won the race on the unique index (its workspace is
      // not read: this transaction is aborted).
      if (isUniqueViolation(error)) throw emailUnavailable();
      throw error;
    }
  }
}

// The user of a token: still there, in that workspace, active, and neither the workspace's nor
// the user's tokens revoked since it was issued.
export const VIEWER_SQL = `SELECT u.id, u.workspace_id, u.role, u.operator, u.email FROM app_user u JOIN workspace w ON w.id = u.workspace_id
  WHERE u.id = $1 AND u.workspace_id = $2 AND w.token_version = $3 AND u.token_version = $4 AND u.deactivated_at IS NULL`;
