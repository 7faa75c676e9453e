import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { AuthPayload, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import type { AuthService } from './auth.service';
import { Role, User } from './user.entity';
import type { Viewer } from './viewer';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Mutation(() => AuthPayload, {
    description: 'Exchange email and password for a session token. Repeated failures lock the email (ACCOUNT_LOCKED) or the client address (TOO_MANY_ATTEMPTS) for a while',
  })
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return this.auth.login(email, password, ctx.clientIp);
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user' })
  me(@CurrentViewer() viewer: Viewer): Promise<User> {
    return this.auth.me(viewer);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [User], { description: "The users of the caller's workspace" })
  users(@CurrentViewer() viewer: Viewer): Promise<User[]> {
    return this.auth.listUsers(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: "Add a user to the caller's workspace" })
  createUser(@CurrentViewer() viewer: Viewer, @Arg('input') input: CreateUserInput): Promise<User> {
    return this.auth.createUser(viewer, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreateWorkspacePayload, {
    description: 'Create a separate workspace with its own first admin; the caller gets no access to it',
  })
  createWorkspace(@Arg('input') input: CreateWorkspaceInput): Promise<CreateWorkspacePayload> {
    return this.auth.createWorkspace(input);
  }
}
