import { LiveEventRepository } from '../../core/pubsub/live-event.repository';
import { defineModule } from '../module';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { ensureFirstAdmin } from './first-admin';
import { LoginThrottle } from './login-throttle';
import { LoginThrottleRepository } from './login-throttle.repository';
import { SessionRevocations } from './session-revocations';
import { TokenService } from './token.service';
import { UserAdminService } from './user-admin.service';
import { User } from './user.entity';
import { UserRepository } from './user.repository';
import { Workspace } from './workspace.entity';
import { WorkspaceRepository } from './workspace.repository';

/** Workspaces, users, login, JWT sessions and their revocation; the first admin of an empty database. */
export const authModule = defineModule({
  name: 'auth',
  entities: [Workspace, User],
  resolvers: [AuthResolver],
  async create({ config, dataSource, clock, log, options }) {
    const tokens = new TokenService({ secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer, expiresIn: config.auth.jwtExpiresIn });
    const users = new UserRepository(dataSource.manager);
    const liveEvents = new LiveEventRepository(dataSource.manager);
    const throttle = new LoginThrottle(new LoginThrottleRepository(dataSource.manager), config.security.login);
    const auth = new AuthService(dataSource, { users, workspaces: new WorkspaceRepository(dataSource.manager), liveEvents }, throttle, tokens, clock);
    await ensureFirstAdmin(auth, config.auth.admin, log, options.print);
    return {
      auth,
      tokens,
      users: new UserAdminService(dataSource, { users, liveEvents }, clock),
      /** Revocations of every instance, for this process's WebSockets (the live feed carries them). */
      sessions: new SessionRevocations(),
      resolvers: [new AuthResolver(auth)],
    };
  },
});
