// Who is calling: taken from a verified JWT (and its still-existing, active user), carried in the
// GraphQL context. role and operator are read from the database, not the token. tokenVersion and
// userTokenVersion are the token's own (`tv`, `uv`): a revocation names the versions it ends.
// (Defined here, not in the auth module: the GraphQL layer checks roles and needs no module for it.)

export enum Role {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}

export type Viewer = {
  userId: string;
  workspaceId: string;
  role: Role;
  operator: boolean;
  email: string;
  expiresAt: Date;
  tokenVersion: number;
  userTokenVersion: number;
};
