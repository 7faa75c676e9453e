import { Max, Min } from 'class-validator';
import { ArgsType, type ClassType, Field, Int, ObjectType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InputError } from '../errors';

// Cursor pagination over (created_at, id): stable under inserts, O(page) with an index.

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 50, description: 'Page size, 1 to 500' })
  @Min(1)
  @Max(500)
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}

export type Page<T> = { nodes: T[]; pageInfo: PageInfo };

/** A `XConnection { nodes, pageInfo }` GraphQL type for a node type. */
export function Connection<T extends object>(node: ClassType<T>) {
  @ObjectType(`${node.name}Connection`)
  class ConnectionType {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

export type Cursor = { createdAt: Date; id: string };

export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new InputError('after is not a cursor returned by this API');
  }
}

/** Builds a page from rows fetched with limit first + 1 (the extra row only tells there is more). */
export function toPage<T extends Cursor>(rows: T[], first: number): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { endCursor: last ? encodeCursor(last) : null, hasNextPage: rows.length > first } };
}

/** Runs a filtered query builder as one page: (created_at, id) order, the cursor, first + 1 rows. */
export async function paginate<T extends ObjectLiteral & Cursor>(
  qb: SelectQueryBuilder<T>,
  args: { first: number; after?: string | null },
): Promise<Page<T>> {
  const alias = qb.alias;
  qb.orderBy(`${alias}.created_at`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').limit(args.first + 1);
  if (args.after) {
    const cursor = decodeCursor(args.after);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) > (:cursorAt, :cursorId)`, { cursorAt: cursor.createdAt, cursorId: cursor.id });
  }
  return toPage(await qb.getMany(), args.first);
}
