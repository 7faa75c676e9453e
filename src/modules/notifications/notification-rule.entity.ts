import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Campaign } from '../campaigns';
import { NotificationChannel } from './notification-channel.entity';
import { NotificationEventType } from './notification-kinds';

/** Routes one event type (of one campaign, or of all when campaignId is null) to a channel. */
@Entity({ name: 'notification_rule' })
// One rule per (channel, event type, campaign), a null campaign counting as one value.
@Index('UQ_notification_rule_route', { synchronize: false })
export class NotificationRule {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Index()
  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @ManyToOne(() => NotificationChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id' })
  channel?: NotificationChannel;

  @Column({ name: 'event_type', type: 'enum', enum: NotificationEventType, enumName: 'notification_event_type' })
  eventType!: NotificationEventType;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
