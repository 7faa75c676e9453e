import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type WebhookSource = 'messaging' | 'users' | 'account_status';

/**
 * Every webhook delivery Unipile made, as received (raw payload), stored before any processing.
 * `provider_key` is unique: Unipile's retries and duplicate deliveries of one event are no-ops.
 */
@Entity({ name: 'webhook_event' })
@Index('IDX_webhook_event_unprocessed', ['receivedAt'], { where: '"processed_at" IS NULL' })
@Index('IDX_webhook_event_account', ['unipileAccountId', 'receivedAt'])
export class WebhookEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** `messaging:message_received:<message id>`, `users:new_relation:<account>:<member>`, or a hash. */
  @Index('UQ_webhook_event_provider_key', { unique: true })
  @Column({ name: 'provider_key', type: 'text' })
  providerKey!: string;

  @Column({ type: 'text' })
  source!: WebhookSource;

  /** `message_received`, `new_relation`, or the account status (`CREDENTIALS`, `OK` …). */
  @Column({ type: 'text' })
  event!: string;

  @Column({ name: 'unipile_account_id', type: 'text', nullable: true })
  unipileAccountId!: string | null;

  /** The route it arrived on (a webhook registered on the wrong URL still delivers). */
  @Column({ type: 'text' })
  route!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  /** What processing did: REPLY_RECORDED, OWN_MESSAGE, NO_LEAD, ACCOUNT_PAUSED, IGNORED … */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
