import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One admin operation: who, when, what (arguments without message bodies) and how it ended. */
@ObjectType()
@Entity({ name: 'audit_log' })
export class AuditLogEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Field(() => ID, { nullable: true, description: 'The admin who called (null once that user is deleted)' })
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Field()
  @Column({ name: 'user_email', type: 'text' })
  userEmail!: string;

  @Field({ description: 'The GraphQL operation, e.g. debugSendChat' })
  @Column({ type: 'text' })
  action!: string;

  @Field(() => GraphQLJSONObject, { description: 'Its arguments (ids, sizes; never message text)' })
  @Column({ type: 'jsonb', default: () => `'{}'` })
  target!: Record<string, unknown>;

  @Field({ description: 'ok, or the error code it ended with' })
  @Column({ type: 'text' })
  outcome!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
