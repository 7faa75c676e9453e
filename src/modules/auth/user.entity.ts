import { Role } from '../../core/graphql/viewer';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from './workspace.entity';

registerEnumType(Role, { name: 'Role', description: "ADMIN manages their workspace's users and settings; MEMBER runs campaigns" });

@ObjectType()
@Entity({ name: 'app_user' })
export class User {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Index()
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  // Stored lower-cased; unique across the instance because login is by email alone.
  @Field()
  @Index({ unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Field(() => Role)
  @Column({ type: 'enum', enum: Role, enumName: 'user_role' })
  role!: Role;

  // Instance operator: instance-wide controls on top of ADMIN (an operator is always an ADMIN).
  @Field({ description: 'An instance operator: pauses the whole scheduler, runs migrations, opens the jobs dashboard, creates workspaces, grants operator' })
  @Column({ type: 'boolean', default: false })
  operator!: boolean;

  // Bumped to end every session of this user: tokens carry it as `uv` (not exposed in GraphQL).
  @Column({ name: 'token_version', type: 'int', default: 1 })
  tokenVersion!: number;

  @Field(() => Date, { nullable: true, description: 'Set while the user is deactivated: no sign-in, no valid token' })
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}
