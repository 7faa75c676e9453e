import { type DataSource, type EntityManager, Repository } from 'typeorm';
import { User } from './user.entity';

export class UserRepository extends Repository<User> {
  constructor(manager: DataSource['manager'] | EntityManager) {
    super(User, manager);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.findOne({ where: { email: email.toLowerCase() } });
  }

  /** With its workspace loaded (for the token version), in one query. */
  findByEmailWithWorkspace(email: string): Promise<User | null> {
    return this.findOne({ where: { email: email.toLowerCase() }, relations: { workspace: true } });
  }

  listByWorkspace(workspaceId: string): Promise<User[]> {
    return this.find({ where: { workspaceId }, order: { createdAt: 'ASC' } });
  }
}
