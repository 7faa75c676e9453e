import type { EntityManager } from 'typeorm';

/** The database as a whole: whether it answers (readiness). */
export class DatabaseRepository {
  constructor(private readonly db: EntityManager) {}

  /** One round trip; rejects when the database does not answer. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
