import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer, OPERATOR } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { AuthPayload, ChangePasswordArgs, CreateUserInput, CreateWorkspaceInput, CreateWorkspacePayload } from './auth.types';
import type { AuthService } from './auth.service';
import { Role } from '../../core/graphql/viewer';
import { User } from './user.entity';
import type { Viewer } from '../../core/graphql/viewer';

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

  @Authorized()
  @Mutation(() => AuthPayload, {
    description:
      'Change your password (the current one is checked and counted like a sign-in). Every other session of yours ends; the answer carries a fresh token',
  })
  changePassword(@CurrentViewer() viewer: Viewer, @Args() args: ChangePasswordArgs, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return this.auth.changePassword(viewer, args.currentPassword, args.newPassword, ctx.clientIp);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [User], { description: "The users of the caller's workspace, deactivated ones included" })
  users(@CurrentViewer() viewer: Viewer): Promise<User[]> {
    return this.auth.listUsers(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, {
    description: "Add a user to the caller's workspace. EMAIL_TAKEN: a user of your workspace has that email; EMAIL_UNAVAILABLE: the address cannot be used",
  })
  createUser(@CurrentViewer() viewer: Viewer, @Arg('input') input: CreateUserInput): Promise<User> {
    return this.auth.createUser(viewer, input);
  }

  @Authorized(OPERATOR)
  @Mutation(() => CreateWorkspacePayload, {
    description: 'Create a separate workspace with its own first admin; the caller gets no access to it. Instance operators only',
  })
  createWorkspace(@Arg('input') input: CreateWorkspaceInput): Promise<CreateWorkspacePayload> {
    return this.auth.createWorkspace(input);
  }
}
