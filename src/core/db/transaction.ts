import type { EntityManager } from 'typeorm';

/**
 * What a service needs of the data source: transactions, whose manager it hands to its
 * repositories' methods (their last, optional parameter). A DataSource is one; unit tests pass a fake.
 */
export type TransactionRunner = { transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> };
