import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Actions used per account, per local day, per kind. Slots are reserved here, atomically, before
 * each send: whatever the number of workers, `used` never passes the cap that applied that day.
 */
@Entity({ name: 'rate_ledger' })
export class RateLedger {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** The account's local calendar day. */
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: 'invite' | 'message';

  @Column({ type: 'int', default: 0 })
  used!: number;

  /** The daily cap in force when the last slot was taken (warm-up included). */
  @Column({ type: 'int' })
  cap!: number;
}
