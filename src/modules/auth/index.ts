// The public surface of this feature: what other features may import (lint forbids reaching past it).
export { authModule } from './auth.module';
export type { AuthService } from './auth.service';
export { AuthPayload, SetOperatorArgs, SetUserRoleArgs, UserIdArgs } from './auth.types';
export { bearerToken } from './token.service';
export type { TokenService } from './token.service';
export type { UserAdminService } from './user-admin.service';
export { User } from './user.entity';
export { Workspace } from './workspace.entity';
