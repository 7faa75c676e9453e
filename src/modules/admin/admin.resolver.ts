import { Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer, OPERATOR } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { AuthPayload, SetOperatorArgs, SetUserRoleArgs, User, UserIdArgs } from '../auth';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { AdminService } from './admin.service';
import {
  AuditLogArgs,
  CampaignIdArgs,
  CampaignTiming,
  DebugSendChatArgs,
  DebugTimingArgs,
  LeadConversation,
  ManualMessageResult,
  MigrationsStatus,
} from './admin.types';
import { AuditLogEntry } from './audit-log.entity';

// Workspace admins (migrations and operator grants: instance operators); each call lands in the
// audit log of the caller's workspace (auditLog shows it, including auditLog itself).
@Resolver()
export class AdminResolver {
  constructor(private readonly admin: AdminService) {}

  @Authorized(OPERATOR)
  @Query(() => MigrationsStatus, { description: 'Applied and pending database migrations; instance operators only' })
  migrationsStatus(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<MigrationsStatus> {
    return this.admin.migrationsStatus({ viewer, requestId: ctx.requestId });
  }

  @Authorized(OPERATOR)
  @Mutation(() => MigrationsStatus, { description: 'Apply pending migrations now (start-up does it unless MIGRATIONS_RUN=false); instance operators only' })
  runMigrations(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<MigrationsStatus> {
    return this.admin.runMigrations({ viewer, requestId: ctx.requestId });
  }

  @Authorized(Role.ADMIN)
  @Query(() => CampaignTiming, { description: "Per active lead: when its next step is due and what holds it back (window, caps, cooldown, status)" })
  debugTiming(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: DebugTimingArgs): Promise<CampaignTiming> {
    return this.admin.debugTiming({ viewer, requestId: ctx.requestId }, args.campaignId, args.first);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ManualMessageResult, {
    description: "Send a message to a lead through Unipile now (its chat, or a new one), counted against the sender's daily message cap and recorded as an operator event",
  })
  debugSendChat(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: DebugSendChatArgs): Promise<ManualMessageResult> {
    return this.admin.debugSendChat({ viewer, requestId: ctx.requestId }, args.leadId, args.text);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [LeadConversation], { description: "The Unipile chat ids of a campaign's leads" })
  conversationIds(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: CampaignIdArgs): Promise<LeadConversation[]> {
    return this.admin.conversationIds({ viewer, requestId: ctx.requestId }, args.campaignId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AuthPayload, { description: "Sign out every user of your workspace (all issued tokens stop working); returns a fresh token for you" })
  revokeAllTokens(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return this.admin.revokeAllTokens({ viewer, requestId: ctx.requestId });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, {
    description: "Change the role of another user of your workspace; that user's sessions end (sign in again). An operator's role only by an operator, and it stays ADMIN",
  })
  setUserRole(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: SetUserRoleArgs): Promise<User> {
    return this.admin.setUserRole({ viewer, requestId: ctx.requestId }, args.userId, args.role);
  }

  @Authorized(OPERATOR)
  @Mutation(() => User, {
    description: "Grant or remove instance operator to another ADMIN of your workspace; that user's sessions end. Instance operators only",
  })
  setOperator(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: SetOperatorArgs): Promise<User> {
    return this.admin.setOperator({ viewer, requestId: ctx.requestId }, args.userId, args.operator);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: 'Deactivate another user of your workspace: no more sign-ins, every session and WebSocket ends at once' })
  deactivateUser(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: UserIdArgs): Promise<User> {
    return this.admin.deactivateUser({ viewer, requestId: ctx.requestId }, args.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: 'Let a deactivated user of your workspace sign in again (old tokens stay revoked)' })
  reactivateUser(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: UserIdArgs): Promise<User> {
    return this.admin.reactivateUser({ viewer, requestId: ctx.requestId }, args.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ID, {
    description: 'Delete another user of your workspace (sessions and WebSockets end at once); audit entries keep their email. Returns the id',
  })
  deleteUser(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: UserIdArgs): Promise<string> {
    return this.admin.deleteUser({ viewer, requestId: ctx.requestId }, args.userId);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [AuditLogEntry], { description: "Admin operations in your workspace, newest first" })
  auditLog(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: AuditLogArgs): Promise<AuditLogEntry[]> {
    return this.admin.auditLog({ viewer, requestId: ctx.requestId }, args.first, args.before ?? null);
  }
}
