import { Arg, Authorized, ID, Int, Mutation, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../../core/graphql/auth-checker';
import { costPer } from '../../../core/graphql/limits';
import type { Viewer } from '../../../core/graphql/viewer';
import type { SimulationService } from './simulation.service';
import { SimulationResult } from './simulation.types';

@Resolver()
export class SimulationResolver {
  constructor(private readonly service: SimulationService) {}

  @Authorized()
  @Mutation(() => SimulationResult, {
    description: 'Dry run: the campaign against a simulated LinkedIn on a virtual clock for `days` (1–90); nothing real is touched',
    // The timeline grows with the days simulated.
    complexity: costPer('days'),
  })
  simulateCampaign(
    @CurrentViewer() viewer: Viewer,
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('days', () => Int, { defaultValue: 30 }) days: number,
  ): Promise<SimulationResult> {
    return this.service.simulate(viewer, campaignId, days);
  }
}
