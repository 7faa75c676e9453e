import type { EntityManager } from 'typeorm';

/**
 * What a service needs of the data source: transactions. Inside one, the service binds its
 * repositories to the transaction's manager (`repo.withManager(em)`) and calls the copies. A
 * DataSource is one; unit tests pass a fake.
 */
export type TransactionRunner = { transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> };

/**
 * The methods `R` a service uses of a repository, plus `withManager`: the same methods inside a
 * transaction. Lets a unit test's fake hand out its own transaction-bound copies.
 */
export type Transactional<R> = R & { withManager(em: EntityManager): R };
