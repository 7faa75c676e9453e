import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock';
import { isUniqueViolation } from '../../core/db/errors';
import { NotFoundError } from '../../core/errors';
import { emailTaken, invalidCredentials } from './auth.errors';
import type { AuthPayload, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import type { TokenService } from './token.service';
import { Role, User } from './user.entity';
import { UserRepository } from './user.repository';
import type { Viewer } from './viewer';
import { Workspace } from './workspace.entity';

export class AuthService {
  private readonly users: UserRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {
    this.users = new UserRepository(dataSource.manager);
  }

  async login(email: string, password: string): Promise<AuthPayload> {
    const user = await this.users.findByEmail(email.trim());
    if (!user) {
      await burnPasswordCheck(password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, password))) throw invalidCredentials();
    user.lastLoginAt = this.clock.now();
    await this.users.update(user.id, { lastLoginAt: user.lastLoginAt });
    const { token, expiresAt } = this.tokens.issue({ sub: user.id, wid: user.workspaceId, role: user.role, email: user.email });
    return { token, expiresAt, user };
  }

  /** The viewer behind a token, or undefined when the token is invalid or its user no longer exists. */
  async authenticate(token: string | undefined): Promise<Viewer | undefined> {
    const claims = token ? this.tokens.verify(token) : undefined;
    if (!claims) return undefined;
    const user = await this.users.findInWorkspace(claims.wid, claims.sub);
    if (!user) return undefined;
    return { userId: user.id, workspaceId: user.workspaceId, role: user.role, email: user.email, expiresAt: new Date(claims.exp * 1000) };
  }

  async me(viewer: Viewer): Promise<User> {
    const user = await this.users.findInWorkspace(viewer.workspaceId, viewer.userId);
    if (!user) throw new NotFoundError('User', viewer.userId);
    return user;
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
