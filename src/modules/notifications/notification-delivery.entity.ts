import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { NotificationChannel } from './notification-channel.entity';
import type { NotificationContent } from './notification-content';
import { NotificationChannelKind, NotificationDeliveryStatus, NotificationEventType } from './notification-kinds';

/**
 * One live event to one channel. The unique (live event, channel) pair is the de-duplication:
 * however often an event is read (re-reads, several dispatchers), a channel hears of it once.
 */
@Entity({ name: 'notification_delivery' })
@Unique('UQ_notification_delivery_event_channel', ['liveEventId', 'channelId'])
@Index('IDX_notification_delivery_workspace_created', ['workspaceId', 'createdAt', 'id'])
@Index('IDX_notification_delivery_status_due', ['status', 'nextAttemptAt'])
export class NotificationDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  /** live_event.id (bigint, as a string). */
  @Column({ name: 'live_event_id', type: 'bigint' })
  liveEventId!: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @ManyToOne(() => NotificationChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id' })
  channel?: NotificationChannel;

  @Column({ name: 'channel_kind', type: 'enum', enum: NotificationChannelKind, enumName: 'notification_channel_kind' })
  channelKind!: NotificationChannelKind;

  @Column({ name: 'event_type', type: 'enum', enum: NotificationEventType, enumName: 'notification_event_type' })
  eventType!: NotificationEventType;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  /** What is sent, fixed when the delivery is created so retries and replays say the same thing. */
  @Column({ type: 'jsonb' })
  content!: NotificationContent;

  @Column({ type: 'enum', enum: NotificationDeliveryStatus, enumName: 'notification_delivery_status', default: NotificationDeliveryStatus.PENDING })
  status!: NotificationDeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** FAILED once `attempts` reaches it; a replay raises it by NOTIFY_MAX_ATTEMPTS. */
  @Column({ name: 'attempt_limit', type: 'int' })
  attemptLimit!: number;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_latency_ms', type: 'int', nullable: true })
  lastLatencyMs!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** While SENDING: after this a worker is taken to have died, and the delivery may be claimed again. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
