import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Role } from '../../src/core/graphql/viewer';
import { hashPassword } from '../../src/modules/auth/password';
import type { User } from '../../src/modules/auth/user.entity';
import { type UserChanges, UserRepository } from '../../src/modules/auth/user.repository';
import type { Workspace } from '../../src/modules/auth/workspace.entity';
import { WorkspaceRepository } from '../../src/modules/auth/workspace.repository';

// Users and workspaces written through the auth module's repositories, as the app writes them.

export const FACTORY_PASSWORD = 'factory-password-0123';

export async function createWorkspace(ds: DataSource, attrs: { name?: string } = {}): Promise<Workspace> {
  return new WorkspaceRepository(ds.manager).insert(attrs.name ?? `Workspace ${randomUUID().slice(0, 8)}`);
}

/** A saved user (in a new workspace unless one is given); its password is FACTORY_PASSWORD. */
export async function createUser(
  ds: DataSource,
  attrs: { workspaceId?: string; role?: Role; email?: string; operator?: boolean } = {},
): Promise<User> {
  const workspaceId = attrs.workspaceId ?? (await createWorkspace(ds)).id;
  return new UserRepository(ds.manager).insert({
    workspaceId,
    email: attrs.email ?? `user-${randomUUID().slice(0, 8)}@test.example`,
    passwordHash: await hashPassword(FACTORY_PASSWORD),
    role: attrs.role ?? Role.MEMBER,
    operator: attrs.operator ?? false,
    lastLoginAt: null,
  });
}

/**
 * Changes a user's columns and nothing else: unlike UserAdminService, no session ends and nothing
 * is announced (for the checks that must hold without that).
 */
export async function changeUserInPlace(ds: DataSource, userId: string, changes: UserChanges): Promise<void> {
  await new UserRepository(ds.manager).update(userId, changes);
}

/** Revokes every token of the user in the database alone: no live announcement reaches the instances. */
export async function revokeUserTokensSilently(ds: DataSource, userId: string): Promise<void> {
  await new UserRepository(ds.manager).bumpTokenVersion(userId);
}

/**
 * Forgets every failed sign-in (no lock-out, no counts), for tests that start from a clean slate.
 * Raw SQL: the app only lets throttle rows expire; it never drops them.
 */
export async function clearLoginThrottle(ds: DataSource): Promise<void> {
  await ds.query('DELETE FROM login_throttle');
}
