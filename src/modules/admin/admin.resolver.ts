import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { AuthPayload } from '../auth/auth.types';
import { Role } from '../auth/user.entity';
import type { Viewer } from '../auth/viewer';
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

// Admin only; each call lands in the audit log (auditLog shows it, including auditLog itself).
@Resolver()
export class AdminResolver {
  constructor(private readonly admin: AdminService) {}

  @Authorized(Role.ADMIN)
  @Query(() => MigrationsStatus, { description: 'Applied and pending database migrations' })
  migrationsStatus(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<MigrationsStatus> {
    return this.admin.migrationsStatus({ viewer, requestId: ctx.requestId });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => MigrationsStatus, { description: 'Apply pending migrations now (start-up does it unless MIGRATIONS_RUN=false)' })
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
  @Query(() => [AuditLogEntry], { description: "Admin operations in your workspace, newest first" })
  auditLog(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GraphQLContext, @Args() args: AuditLogArgs): Promise<AuditLogEntry[]> {
    return this.admin.auditLog({ viewer, requestId: ctx.requestId }, args.first, args.before ?? null);
  }
}
