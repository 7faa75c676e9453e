import type { MigrationsRepository } from '../../core/db/migrations.repository';
import { NotFoundError } from '../../core/errors';
import type { AuthPayload, AuthService, User, UserAdminService } from '../auth';
import type { Role } from '../../core/graphql/viewer';
import type { CampaignTiming, LeadConversation, ManualMessageResult, MigrationsStatus } from './admin.types';
import type { AuditLogEntry } from './audit-log.entity';
import type { Actor, AuditLogService } from './audit-log.service';
import type { ConversationRepository } from './conversation.repository';
import type { DebugTimingService } from './debug-timing.service';
import type { ManualMessageService } from './manual-message.service';
import { migrationsStatus } from './migrations-status';

/** The admin operations; every call is written to the audit log with its outcome. */
export class AdminService {
  constructor(
    private readonly migrations: Pick<MigrationsRepository, 'applied' | 'known' | 'runPending'>,
    private readonly conversations: Pick<ConversationRepository, 'campaignExists' | 'leadsWithChat'>,
    private readonly audit: AuditLogService,
    private readonly timing: DebugTimingService,
    private readonly messages: ManualMessageService,
    private readonly auth: AuthService,
    private readonly users: UserAdminService,
  ) {}

  migrationsStatus(actor: Actor): Promise<MigrationsStatus> {
    return this.audit.run(actor, 'migrationsStatus', {}, async () => ({ ...(await migrationsStatus(this.migrations)), ranNow: [] }));
  }

  runMigrations(actor: Actor): Promise<MigrationsStatus> {
    return this.audit.run(actor, 'runMigrations', {}, async () => {
      const ranNow = await this.migrations.runPending();
      return { ...(await migrationsStatus(this.migrations)), ranNow };
    });
  }

  debugTiming(actor: Actor, campaignId: string, first: number): Promise<CampaignTiming> {
    return this.audit.run(actor, 'debugTiming', { campaignId, first }, () => this.timing.explain(actor.viewer, campaignId, first));
  }

  // The text is neither audited nor logged: only its length.
  debugSendChat(actor: Actor, leadId: string, text: string): Promise<ManualMessageResult> {
    return this.audit.run(actor, 'debugSendChat', { leadId, textLength: text.length }, () => this.messages.send(actor.viewer, leadId, text));
  }

  conversationIds(actor: Actor, campaignId: string): Promise<LeadConversation[]> {
    return this.audit.run(actor, 'conversationIds', { campaignId }, async () => {
      const { workspaceId } = actor.viewer;
      if (!(await this.conversations.campaignExists(workspaceId, campaignId))) {
        throw new NotFoundError('Campaign', campaignId);
      }
      const leads = await this.conversations.leadsWithChat(workspaceId, campaignId);
      return leads.map((l) => ({ leadId: l.id, accountId: l.accountId, chatId: l.chatId!, publicIdentifier: l.publicIdentifier, providerId: l.providerId }));
    });
  }

  revokeAllTokens(actor: Actor): Promise<AuthPayload> {
    return this.audit.run(actor, 'revokeAllTokens', {}, () => this.auth.revokeAllTokens(actor.viewer));
  }

  setUserRole(actor: Actor, userId: string, role: Role): Promise<User> {
    return this.audit.run(actor, 'setUserRole', { userId, role }, () => this.users.setRole(actor.viewer, userId, role));
  }

  setOperator(actor: Actor, userId: string, operator: boolean): Promise<User> {
    return this.audit.run(actor, 'setOperator', { userId, operator }, () => this.users.setOperator(actor.viewer, userId, operator));
  }

  deactivateUser(actor: Actor, userId: string): Promise<User> {
    return this.audit.run(actor, 'deactivateUser', { userId }, () => this.users.deactivate(actor.viewer, userId));
  }

  reactivateUser(actor: Actor, userId: string): Promise<User> {
    return this.audit.run(actor, 'reactivateUser', { userId }, () => this.users.reactivate(actor.viewer, userId));
  }

  deleteUser(actor: Actor, userId: string): Promise<string> {
    return this.audit.run(actor, 'deleteUser', { userId }, () => this.users.delete(actor.viewer, userId));
  }

  auditLog(actor: Actor, first: number, before: string | null): Promise<AuditLogEntry[]> {
    return this.audit.run(actor, 'auditLog', { first, before }, () => this.audit.list(actor.viewer, first, before));
  }
}
