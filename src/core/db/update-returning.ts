import type { EntityManager } from 'typeorm';

/**
 * Runs UPDATE/DELETE … RETURNING and gives the rows. (TypeORM's postgres driver answers those
 * statements with [rows, affectedCount], unlike SELECT and INSERT.)
 */
export async function updateReturning<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await em.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
