import type { EntityManager } from 'typeorm';
import { ReconcileState } from './reconcile-state.entity';

/** Up to when each account's conversations were polled (reconcile_state). */
export class ReconcileStateRepository {
  constructor(private readonly db: EntityManager) {}

  /** When the account's last successful poll started; undefined before its first. */
  async checkedAt(accountId: string): Promise<Date | undefined> {
    const state = await this.db.getRepository(ReconcileState).findOne({ where: { accountId } });
    return state?.checkedAt;
  }

  async saveCheckedAt(accountId: string, checkedAt: Date): Promise<void> {
    await this.db.getRepository(ReconcileState).upsert({ accountId, checkedAt }, ['accountId']);
  }
}
