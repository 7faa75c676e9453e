import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NotificationDelivery } from './notification-delivery.entity';

/** One try of a delivery: the delivery log's detail. */
@Entity({ name: 'notification_attempt' })
@Index('IDX_notification_attempt_delivery', ['deliveryId', 'attempt'])
export class NotificationAttempt {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId!: string;

  @ManyToOne(() => NotificationDelivery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery?: NotificationDelivery;

  /** 1 for the first try; counts on across replays. */
  @Column({ type: 'int' })
  attempt!: number;

  @Column({ name: 'started_at', type: 'timestamptz', precision: 3 })
  startedAt!: Date;

  @Column({ type: 'boolean' })
  ok!: boolean;

  /** HTTP status, or the SMTP reply code. */
  @Column({ name: 'response_code', type: 'int', nullable: true })
  responseCode!: number | null;

  @Column({ name: 'latency_ms', type: 'int' })
  latencyMs!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
