import { Arg, Args, Authorized, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer, OPERATOR } from '../../core/graphql/auth-checker';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { WebhookManagementService } from './webhook-management.service';
import type { WebhookStatusService } from './webhook-status.service';
import { EnsureWebhooksResult, UnipileWebhookView, WebhookSourceEnum, WebhookStatus, WebhookStatusArgs } from './webhook.types';

@Resolver()
export class WebhookResolver {
  constructor(
    private readonly management: WebhookManagementService,
    private readonly statusService: WebhookStatusService,
  ) {}

  // The Unipile tenant (one per instance) is shared by every workspace: its webhooks are the operator's.
  @Authorized(OPERATOR)
  @Query(() => [UnipileWebhookView], { description: 'The webhooks registered in Unipile (tenant-wide); instance operators only' })
  webhooks(): Promise<UnipileWebhookView[]> {
    return this.management.list();
  }

  @Authorized(OPERATOR)
  @Mutation(() => UnipileWebhookView, { description: 'Registers a webhook of this source pointing at our route, with the secret header; instance operators only' })
  registerWebhook(@Arg('source', () => WebhookSourceEnum) source: WebhookSourceEnum): Promise<UnipileWebhookView> {
    return this.management.register(source);
  }

  @Authorized(OPERATOR)
  @Mutation(() => Boolean, { description: 'Deletes a Unipile webhook; instance operators only' })
  deleteWebhook(@Arg('id', () => ID) id: string): Promise<boolean> {
    return this.management.delete(id);
  }

  @Authorized(OPERATOR)
  @Mutation(() => EnsureWebhooksResult, { description: 'Exactly one correct webhook per source; deletes misconfigured ones. Idempotent. Instance operators only' })
  ensureWebhooks(): Promise<EnsureWebhooksResult> {
    return this.management.ensure();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => [ID], {
    description: "Processes again the abandoned webhook events of the workspace's accounts (all, or those named); returns the ids taken",
  })
  retryWebhookEvents(
    @CurrentViewer() viewer: Viewer,
    @Arg('ids', () => [ID], { nullable: true, description: 'Default: every abandoned event' }) ids?: string[] | null,
  ): Promise<string[]> {
    return this.statusService.retryAbandoned(viewer, ids);
  }

  @Authorized()
  @Query(() => WebhookStatus, { description: 'Campaign totals, its 10 latest events and webhook intake (by id, name, or the latest active campaign)' })
  webhookStatus(@CurrentViewer() viewer: Viewer, @Args() args: WebhookStatusArgs): Promise<WebhookStatus> {
    return this.statusService.status(viewer, args);
  }
}
