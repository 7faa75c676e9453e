import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Workspace } from '../auth';
import { NotificationChannelKind } from './notification-kinds';

/**
 * One destination: an email recipient list, a Slack incoming webhook, or an outbound webhook.
 * `secret` (the Slack URL, or the webhook signing secret) never leaves the service: GraphQL
 * shows a masked hint only.
 */
@Entity({ name: 'notification_channel' })
export class NotificationChannel {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ type: 'enum', enum: NotificationChannelKind, enumName: 'notification_channel_kind' })
  kind!: NotificationChannelKind;

  @Column({ type: 'text' })
  name!: string;

  /** EMAIL: the addresses that receive it. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  recipients!: string[];

  /** WEBHOOK: the endpoint called. */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** SLACK: the incoming-webhook URL; WEBHOOK: the HMAC signing secret. */
  @Column({ type: 'text', nullable: true })
  secret!: string | null;

  // Millisecond precision, like JavaScript dates, so (created_at, id) cursors are exact.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
