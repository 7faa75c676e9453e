import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/modules/auth/password';
import { Role } from '../../src/core/graphql/viewer';
import { User } from '../../src/modules/auth/user.entity';
import { Workspace } from '../../src/modules/auth/workspace.entity';

export const FACTORY_PASSWORD = 'factory-password-0123';

export async function createWorkspace(ds: DataSource, attrs: Partial<Workspace> = {}): Promise<Workspace> {
  return ds.manager.save(ds.manager.create(Workspace, { name: `Workspace ${randomUUID().slice(0, 8)}`, ...attrs }));
}

/** A saved user (in a new workspace unless one is given); its password is FACTORY_PASSWORD. */
export async function createUser(
  ds: DataSource,
  attrs: { workspaceId?: string; role?: Role; email?: string; operator?: boolean } = {},
): Promise<User> {
  const workspaceId = attrs.workspaceId ?? (await createWorkspace(ds)).id;
  return ds.manager.save(
    ds.manager.create(User, {
      workspaceId,
      email: attrs.email ?? `user-${randomUUID().slice(0, 8)}@test.example`,
      passwordHash: await hashPassword(FACTORY_PASSWORD),
      role: attrs.role ?? Role.MEMBER,
      operator: attrs.operator ?? false,
      lastLoginAt: null,
    }),
  );
}
