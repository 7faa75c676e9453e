import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import { preparedQuery } from '../../core/db/prepared-query';
import { updateReturning } from '../../core/db/update-returning';
import { NotFoundError } from '../../core/errors';
import { emailTaken, invalidCredentials } from './auth.errors';
import type { AuthPayload, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleSettings } from './login-throttle';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { assertPasswordStrength } from './password-policy';
import type { TokenService } from './token.service';
import { Role, User } from './user.entity';
import { UserRepository } from './user.repository';
import type { Viewer } from './viewer';
import { Workspace } from './workspace.entity';

export class AuthService {
  private readonly users: UserRepository;
  private readonly throttle: LoginThrottle;
  private readonly viewerLookup: (params: unknown[]) => Promise<Array<{ id: string; workspace_id: string; role: Role; email: string }>>;
  // `me` is the cheapest authenticated operation: a raw lookup by key, no password hash.
  private readonly userLookup: (params: unknown[]) => Promise<Array<Omit<User, 'passwordHash' | 'workspace'>>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE,
  ) {
    this.users = new UserRepository(dataSource.manager);
    this.throttle = new LoginThrottle(dataSource, throttle);
    this.viewerLookup = preparedQuery(
      dataSource,
      `SELECT u.id, u.workspace_id, u.role, u.email FROM app_user u JOIN workspace w ON w.id = u.workspace_id
       WHERE u.id = $1 AND u.workspace_id = $2 AND w.token_version = $3`,
    );
    this.userLookup = preparedQuery(
      dataSource,
      `SELECT id, workspace_id AS "workspaceId", email, role, created_at AS "createdAt", last_login_at AS "lastLoginAt"
       FROM app_user WHERE id = $1 AND workspace_id = $2`,
    );
  }

  /**
   * A session token for right credentials. Every attempt is counted first; one past the limit of
   * its email or client address is refused before the password is looked at (ACCOUNT_LOCKED /
   * TOO_MANY_ATTEMPTS), whether or not the email exists.
   */
  async login(email: string, password: string, clientIp?: string): Promise<AuthPayload> {
    const normalized = email.trim().toLowerCase();
    // Counted before the password is checked, so parallel attempts cannot outrun the limit.
    const attempt = await this.throttle.attempt(normalized, clientIp, this.clock.now());
    const user = await this.users.findByEmailWithWorkspace(normalized);
    const valid = user ? await verifyPassword(user.passwordHash, password) : await burnPasswordCheck(password).then(() => false);
    if (!user || !valid) throw invalidCredentials();
    await this.throttle.succeeded(attempt);
    user.lastLoginAt = this.clock.now();
    await this.users.update(user.id, { lastLoginAt: user.lastLoginAt });
    return this.session(user, user.workspace!.tokenVersion);
  }

  /**
   * The viewer behind a token, or undefined when the token is invalid, was issued before its
   * workspace's tokens were revoked, or its user no longer exists.
   */
  async authenticate(token: string | undefined): Promise<Viewer | undefined> {
    const claims = token ? this.tokens.verify(token) : undefined;
    if (!claims) return undefined;
    // Every authenticated request runs this, so the token version is checked in the database each
    // time (a revocation applies at once, on every instance): one prepared, indexed statement.
    const [user] = await this.viewerLookup([claims.sub, claims.wid, claims.tv]);
    if (!user) return undefined;
    return { userId: user.id, workspaceId: user.workspace_id, role: user.role, email: user.email, expiresAt: new Date(claims.exp * 1000) };
  }

  /** Signs out everyone in the caller's workspace (bumps its token version); the caller gets a fresh token. */
  async revokeAllTokens(viewer: Viewer): Promise<AuthPayload> {
    const rows = await updateReturning<{ token_version: number }>(
      this.dataSource.manager,
      `UPDATE workspace SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
      [viewer.workspaceId],
    );
    const user = await this.me(viewer);
    return this.session(user, rows[0].token_version);
  }

  private session(user: User, tokenVersion: number): AuthPayload {
    const { token, expiresAt } = this.tokens.issue({ sub: user.id, wid: user.workspaceId, role: user.role, email: user.email, tv: tokenVersion });
    return { token, expiresAt, user };
  }

  async me(viewer: Viewer): Promise<User> {
    const [row] = await this.userLookup([viewer.userId, viewer.workspaceId]);
    if (!row) throw new NotFoundError('User', viewer.userId);
    return Object.assign(new User(), row);
  }

  listUsers(viewer: Viewer): Promise<User[]> {
    return this.users.listByWorkspace(viewer.workspaceId);
  }

  async createUser(viewer: Viewer, input: CreateUserInput): Promise<User> {
    return this.dataSource.transaction(async (em) => {
      const users = new UserRepository(em);
      return this.insertUser(users, viewer.workspaceId, input.email, input.password, input.role);
    });
  }

  /** A new tenant with its first admin; the caller (an admin elsewhere) gets no access to it. */
  async createWorkspace(input: CreateWorkspaceInput): Promise<CreateWorkspacePayload> {
    return this.dataSource.transaction(async (em) => {
      const workspace = await em.save(em.create(Workspace, { name: input.name.trim() }));
      const admin = await this.insertUser(new UserRepository(em), workspace.id, input.adminEmail, input.adminPassword, Role.ADMIN);
      return { workspace, admin };
    });
  }

  /** On an empty database: the first workspace and its admin. Returns what was created, if anything. */
  async bootstrapAdmin(admin: { email: string; password: string }): Promise<User | undefined> {
    return this.dataSource.transaction(async (em) => {
      // Serialise concurrent first starts (API and worker booting together).
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bootstrap-admin']);
      if ((await em.count(User)) > 0) return undefined;
      const workspace = await em.save(em.create(Workspace, { name: 'Default workspace' }));
      return this.insertUser(new UserRepository(em), workspace.id, admin.email, admin.password, Role.ADMIN);
    });
  }

  private async insertUser(users: UserRepository, workspaceId: string, email: string, password: string, role: Role): Promise<User> {
    const normalized = email.trim().toLowerCase();
    assertPasswordStrength(password, normalized);
    if (await users.findByEmail(normalized)) throw emailTaken(normalized);
    const passwordHash = await hashPassword(password);
    try {
      return await users.save(users.create({ workspaceId, email: normalized, passwordHash, role, lastLoginAt: null }));
    } catch (error) {
      // A concurrent insert of the same email lost the race on the unique index.
      if (isUniqueViolation(error)) throw emailTaken(normalized);
      throw error;
    }
  }
}
