import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { groupByKeys } from '../../core/graphql/loaders';
import type { Page } from '../../core/graphql/pagination';
import { LinkedInAccount } from '../accounts';
import type { Viewer } from '../../core/graphql/viewer';
import { Campaign, CampaignStatus } from './campaign.entity';
import type { CampaignService } from './campaign.service';
import { CampaignConnection, CampaignsArgs, CreateCampaignInput, SequenceStepInput, UpdateCampaignInput } from './campaign.types';
import { SequenceStep } from './sequence-step.entity';

@Resolver(() => Campaign)
export class CampaignResolver {
  constructor(private readonly service: CampaignService) {}

  @Authorized()
  @Query(() => CampaignConnection)
  campaigns(@CurrentViewer() viewer: Viewer, @Args() args: CampaignsArgs): Promise<Page<Campaign>> {
    return this.service.list(viewer, args);
  }

  @Authorized()
  @Query(() => Campaign)
  campaign(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<Campaign> {
    return this.service.get(viewer, id);
  }

  @Authorized()
  @Mutation(() => Campaign, { description: 'A DRAFT campaign; without steps it gets the default 4-step sequence' })
  createCampaign(@CurrentViewer() viewer: Viewer, @Arg('input') input: CreateCampaignInput): Promise<Campaign> {
    return this.service.create(viewer, input);
  }

  @Authorized()
  @Mutation(() => Campaign)
  updateCampaign(
    @CurrentViewer() viewer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateCampaignInput,
  ): Promise<Campaign> {
    return this.service.update(viewer, id, input);
  }

  @Authorized()
  @Mutation(() => Campaign, { description: 'DRAFT → ACTIVE ⇄ PAUSED → COMPLETED → ARCHIVED' })
  setCampaignStatus(
    @CurrentViewer() viewer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('status', () => CampaignStatus) status: CampaignStatus,
  ): Promise<Campaign> {
    return this.service.setStatus(viewer, id, status);
  }

  @Authorized()
  @Mutation(() => Campaign, {
    description: 'Publish a new sequence version: leads not started yet follow it, started leads keep theirs',
  })
  setSequence(
    @CurrentViewer() viewer: Viewer,
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('steps', () => [SequenceStepInput]) steps: SequenceStepInput[],
  ): Promise<Campaign> {
    return this.service.setSequence(viewer, campaignId, steps);
  }

  @FieldResolver(() => [LinkedInAccount])
  async senders(@Root() campaign: Campaign, @Ctx() ctx: GraphQLContext): Promise<LinkedInAccount[]> {
    const viewer = ctx.viewer!;
    const loader = ctx.loaders.get('campaignSenders', async (ids) =>
      groupByKeys(ids, await this.service.sendersOf(viewer, ids), (s) => s.campaignId),
    );
    return (await loader.load(campaign.id)).map((s) => s.account);
  }

  @FieldResolver(() => [SequenceStep], { description: 'The current sequence version' })
  steps(@Root() campaign: Campaign, @Ctx() ctx: GraphQLContext): Promise<SequenceStep[]> {
    const loader = ctx.loaders.get('sequenceSteps', async (keys) =>
      groupByKeys(keys, await this.service.stepsOf(keys), (s) => `${s.campaignId}:${s.version}`),
    );
    return loader.load(`${campaign.id}:${campaign.sequenceVersion}`);
  }
}
