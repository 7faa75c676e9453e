import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum SyncKind {
  HISTORICAL_CONNECTIONS = 'historical_connections',
  CONVERSATIONS = 'conversations',
  RATE_USAGE = 'rate_usage',
}
registerEnumType(SyncKind, { name: 'SyncKind' });

export enum SyncRunStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(SyncRunStatus, { name: 'SyncRunStatus' });

@ObjectType()
export class UnmatchedRelation {
  @Field() memberId!: string;
  @Field(() => String, { nullable: true }) publicIdentifier!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => ID) accountId!: string;
}

/**
 * One run of a sync or backfill, with its progress as it goes: the row a progress query (and the
 * jobProgress subscription) reads while the worker updates it.
 */
@ObjectType()
@Entity({ name: 'sync_run' })
@Index('IDX_sync_run_workspace', ['workspaceId', 'createdAt'])
export class SyncRun {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Field(() => SyncKind)
  @Column({ type: 'text' })
  kind!: SyncKind;

  @Field(() => SyncRunStatus)
  @Column({ type: 'text', default: SyncRunStatus.QUEUED })
  status!: SyncRunStatus;

  @Field(() => GraphQLJSONObject, { description: 'What was asked: campaignId, accountId, days' })
  @Column({ type: 'jsonb', default: () => `'{}'` })
  params!: Record<string, unknown>;

  @Field(() => Int, { description: 'Items handled so far (relations, leads or account days)' })
  @Column({ type: 'int', default: 0 })
  processed!: number;

  @Field(() => Int, { nullable: true, description: 'Items to handle, when known in advance' })
  @Column({ type: 'int', nullable: true })
  total!: number | null;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  matched!: number;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  unmatched!: number;

  @Field(() => GraphQLJSONObject, { description: 'Counts particular to the kind (profile lookups, ledger rows …)' })
  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: Record<string, unknown>;

  @Field(() => [UnmatchedRelation], { description: 'Historical sync: a sample of relations that matched no lead' })
  @Column({ name: 'unmatched_sample', type: 'jsonb', default: () => `'[]'` })
  unmatchedSample!: UnmatchedRelation[];

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
