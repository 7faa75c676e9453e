import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per sender account: up to when the reconciliation poll has looked at conversations. */
@Entity({ name: 'reconcile_state' })
export class ReconcileState {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** When the last successful poll started: the next one reads chats active since then (with overlap). */
  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;
}
