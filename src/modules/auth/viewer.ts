import { Role } from './user.entity';

// Who is calling: taken from a verified JWT (and its still-existing user), carried in the GraphQL context.
export type Viewer = { userId: string; workspaceId: string; role: Role; email: string; expiresAt: Date };
