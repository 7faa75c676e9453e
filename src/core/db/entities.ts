import { User } from '../../modules/auth/user.entity';
import { Workspace } from '../../modules/auth/workspace.entity';

// Every TypeORM entity, listed explicitly so the app, Jest and the CLI load the same set.
export const ENTITIES = [Workspace, User];
