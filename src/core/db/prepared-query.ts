import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * A statement run on every request (or every webhook), as a named prepared statement: each
 * connection parses and plans it once, instead of once per call. For a lookup by key, planning
 * costs several times the execution. Only for statements whose best plan does not depend on the
 * parameter values (Postgres moves to a generic plan after five executions).
 *
 * Runs on TypeORM's own pool, or inside `em`'s transaction when given (on its connection).
 */
export function preparedQuery<Row>(dataSource: DataSource, sql: string): (params: unknown[], em?: EntityManager) => Promise<Row[]> {
  const name = `prepared_${createHash('sha256').update(sql).digest('hex').slice(0, 20)}`;
  return async (params, em) => {
    const runner = em?.queryRunner as PostgresQueryRunner | undefined;
    const db: Pool | PoolClient = runner ? ((await runner.connect()) as PoolClient) : ((dataSource.driver as PostgresDriver).master as Pool);
    return (await db.query<Row & object>({ name, text: sql, values: params })).rows;
  };
}
