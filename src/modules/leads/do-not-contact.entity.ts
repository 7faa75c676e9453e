import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from '../auth';

/**
 * A person the workspace must never contact, by public identifier and/or member id. Checked at
 * import (matching rows are reported `excluded`) and by the engine before every send.
 */
@ObjectType()
@Entity({ name: 'do_not_contact' })
@Check('CHK_dnc_identity', `public_identifier IS NOT NULL OR provider_id IS NOT NULL`)
@Index('UQ_dnc_public_identifier', ['workspaceId', 'publicIdentifier'], { unique: true, where: 'public_identifier IS NOT NULL' })
@Index('UQ_dnc_provider_id', ['workspaceId', 'providerId'], { unique: true, where: 'provider_id IS NOT NULL' })
export class DoNotContact {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Field(() => String, { nullable: true })
  @Column({ name: 'public_identifier', type: 'text', nullable: true })
  publicIdentifier!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Field({ description: 'How the entry was added: operator, opt_out …' })
  @Column({ type: 'text', default: 'operator' })
  source!: string;

  @Field()
  // Millisecond precision, like JavaScript dates, so (created_at, id) cursors are exact.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
