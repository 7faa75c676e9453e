import { Arg, Args, Authorized, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { Page } from '../../core/graphql/pagination';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { NotificationLogService } from './notification-log.service';
import type { NotificationService } from './notification.service';
import {
  CreatedNotificationChannel,
  CreateNotificationChannelInput,
  NotificationChannelView,
  NotificationDeliveriesArgs,
  NotificationDeliveryConnection,
  NotificationDeliveryView,
  NotificationRuleInput,
  NotificationRuleView,
  NotificationSettingsInput,
  NotificationSettingsView,
  UpdateNotificationChannelInput,
} from './notification.types';

// Everything about operator notifications is for admins: it holds destinations and secrets.
@Resolver()
export class NotificationResolver {
  constructor(
    private readonly notifications: NotificationService,
    private readonly deliveries: NotificationLogService,
  ) {}

  @Authorized(Role.ADMIN)
  @Query(() => NotificationSettingsView)
  notificationSettings(@CurrentViewer() viewer: Viewer): Promise<NotificationSettingsView> {
    return this.notifications.getSettings(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationSettingsView, { description: "Switch channel kinds on or off for this workspace (fields left out keep their value)" })
  updateNotificationSettings(@CurrentViewer() viewer: Viewer, @Arg('input') input: NotificationSettingsInput): Promise<NotificationSettingsView> {
    return this.notifications.updateSettings(viewer, input);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [NotificationChannelView])
  notificationChannels(@CurrentViewer() viewer: Viewer): Promise<NotificationChannelView[]> {
    return this.notifications.listChannels(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedNotificationChannel, { description: 'A channel receives nothing until a rule routes events to it' })
  createNotificationChannel(@CurrentViewer() viewer: Viewer, @Arg('input') input: CreateNotificationChannelInput): Promise<CreatedNotificationChannel> {
    return this.notifications.createChannel(viewer, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationChannelView)
  updateNotificationChannel(
    @CurrentViewer() viewer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateNotificationChannelInput,
  ): Promise<NotificationChannelView> {
    return this.notifications.updateChannel(viewer, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'Also removes its rules and its delivery log' })
  deleteNotificationChannel(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.notifications.deleteChannel(viewer, id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationRuleView, { description: 'Route an event type (of one campaign, or of all) to a channel' })
  createNotificationRule(@CurrentViewer() viewer: Viewer, @Arg('input') input: NotificationRuleInput): Promise<NotificationRuleView> {
    return this.notifications.createRule(viewer, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteNotificationRule(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.notifications.deleteRule(viewer, id);
  }

  @Authorized(Role.ADMIN)
  @Query(() => NotificationDeliveryConnection, { description: 'The delivery log, newest first' })
  notificationDeliveries(@CurrentViewer() viewer: Viewer, @Args() args: NotificationDeliveriesArgs): Promise<Page<NotificationDeliveryView>> {
    return this.deliveries.list(viewer, args);
  }

  @Authorized(Role.ADMIN)
  @Query(() => NotificationDeliveryView)
  notificationDelivery(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<NotificationDeliveryView> {
    return this.deliveries.get(viewer, id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationDeliveryView, { description: 'Send a delivery again (same event id and content), with a fresh set of attempts' })
  replayNotification(@CurrentViewer() viewer: Viewer, @Arg('deliveryId', () => ID) deliveryId: string): Promise<NotificationDeliveryView> {
    return this.deliveries.replay(viewer, deliveryId);
  }
}
