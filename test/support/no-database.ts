import type { EntityManager } from 'typeorm';
import { Role, type Viewer } from '../../src/core/graphql/viewer';

/**
 * The manager a unit test's fake repositories are built on (they extend the real ones and
 * override what the test needs): any statement the fake does not answer fails the test.
 */
export const noDatabase: EntityManager = new Proxy({} as EntityManager, {
  get(_target, property) {
    throw new Error(`a unit test reached the database (EntityManager.${String(property)}): fake that repository method`);
  },
});

/** A signed-in admin of `workspaceId`, as resolvers pass the viewer to services. */
export const adminOf = (workspaceId: string): Viewer => ({
  userId: '00000000-0000-4000-8000-00000000000a',
  workspaceId,
  role: Role.ADMIN,
  operator: false,
  email: 'admin@example.com',
  expiresAt: new Date('2100-01-01T00:00:00Z'),
  tokenVersion: 1,
  userTokenVersion: 1,
});
