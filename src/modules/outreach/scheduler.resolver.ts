import { Arg, Authorized, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import { Role } from '../auth/user.entity';
import type { Viewer } from '../auth/viewer';
import type { SchedulerStatusService } from './scheduler-status.service';
import { SchedulerStatus } from './scheduler.types';

@Resolver()
export class SchedulerResolver {
  constructor(private readonly service: SchedulerStatusService) {}

  @Authorized()
  @Query(() => SchedulerStatus, { description: 'Is the engine running, what is queued, when each sender sends next' })
  schedulerStatus(@CurrentViewer() viewer: Viewer): Promise<SchedulerStatus> {
    return this.service.status(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SchedulerStatus, { description: 'Stop all scanning and sending (every worker) until resumed' })
  pauseScheduler(@CurrentViewer() viewer: Viewer, @Arg('reason', () => String, { nullable: true }) reason?: string | null): Promise<SchedulerStatus> {
    return this.service.setPaused(viewer, true, reason ?? null);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SchedulerStatus)
  resumeScheduler(@CurrentViewer() viewer: Viewer): Promise<SchedulerStatus> {
    return this.service.setPaused(viewer, false, null);
  }
}
