import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

// The tenant: every row that belongs to an operator's work carries a workspace_id.
@ObjectType()
@Entity({ name: 'workspace' })
export class Workspace {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  // Bumped by revokeAllTokens: tokens issued under an older version are refused (not exposed in GraphQL).
  @Column({ name: 'token_version', type: 'int', default: 1 })
  tokenVersion!: number;

  // The workspace admin's pause of its campaigns' sending (the engine sends nothing of it meanwhile).
  @Column({ name: 'sending_paused', type: 'boolean', default: false })
  sendingPaused!: boolean;

  @Column({ name: 'sending_paused_reason', type: 'text', nullable: true })
  sendingPausedReason!: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
