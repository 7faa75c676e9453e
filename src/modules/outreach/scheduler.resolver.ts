import { IsOptional, MaxLength } from 'class-validator';
import { Args, ArgsType, Authorized, Field, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer, OPERATOR } from '../../core/graphql/auth-checker';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { SchedulerStatusService } from './scheduler-status.service';
import { SchedulerStatus } from './scheduler.types';

@ArgsType()
class PauseArgs {
  @Field(() => String, { nullable: true, description: 'Shown in schedulerStatus (at most 500 characters)' })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;
}

@Resolver()
export class SchedulerResolver {
  constructor(private readonly service: SchedulerStatusService) {}

  @Authorized()
  @Query(() => SchedulerStatus, { description: "Is the engine running, what is queued, when each sender sends next (an operator sees the instance, everyone else their workspace)" })
  schedulerStatus(@CurrentViewer() viewer: Viewer): Promise<SchedulerStatus> {
    return this.service.status(viewer);
  }

  @Authorized(OPERATOR)
  @Mutation(() => SchedulerStatus, { description: 'Stop all scanning and sending of every workspace (every worker) until resumed; instance operators only' })
  pauseScheduler(@CurrentViewer() viewer: Viewer, @Args() { reason }: PauseArgs): Promise<SchedulerStatus> {
    return this.service.setPaused(viewer, true, reason ?? null);
  }

  @Authorized(OPERATOR)
  @Mutation(() => SchedulerStatus, { description: 'Undo pauseScheduler; instance operators only' })
  resumeScheduler(@CurrentViewer() viewer: Viewer): Promise<SchedulerStatus> {
    return this.service.setPaused(viewer, false, null);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SchedulerStatus, { description: "Stop sending for every campaign of your workspace until resumed (waiting reason WORKSPACE_PAUSED)" })
  pauseWorkspaceSending(@CurrentViewer() viewer: Viewer, @Args() { reason }: PauseArgs): Promise<SchedulerStatus> {
    return this.service.setWorkspacePaused(viewer, true, reason ?? null);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SchedulerStatus, { description: "Undo pauseWorkspaceSending: your workspace's leads become due again as their sequences say" })
  resumeWorkspaceSending(@CurrentViewer() viewer: Viewer): Promise<SchedulerStatus> {
    return this.service.setWorkspacePaused(viewer, false, null);
  }
}
