import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import type { GraphQLContext } from '../../core/graphql/context';
import { byKeys } from '../../core/graphql/loaders';
import type { Page } from '../../core/graphql/pagination';
import { type AccountService, LinkedInAccount } from '../accounts';
import type { Viewer } from '../../core/graphql/viewer';
import { Campaign, type CampaignService } from '../campaigns';
import type { LeadImportService } from './lead-import.service';
import { Lead } from './lead.entity';
import type { LeadService } from './lead.service';
import { ImportLeadsResult, LeadConnection, LeadInput, LeadsArgs, LeadTimeline } from './lead.types';

@Resolver(() => Lead)
export class LeadResolver {
  constructor(
    private readonly leadService: LeadService,
    private readonly imports: LeadImportService,
    private readonly campaigns: CampaignService,
    private readonly accounts: AccountService,
  ) {}

  @Authorized()
  @Query(() => LeadConnection, { description: 'Leads of the workspace, optionally of one campaign and status' })
  leads(@CurrentViewer() viewer: Viewer, @Args() args: LeadsArgs): Promise<Page<Lead>> {
    return this.leadService.list(viewer, args);
  }

  @Authorized()
  @Query(() => Lead)
  lead(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<Lead> {
    return this.leadService.get(viewer, id);
  }

  @Authorized()
  @Query(() => LeadTimeline)
  leadTimeline(@CurrentViewer() viewer: Viewer, @Arg('leadId', () => ID) leadId: string): Promise<LeadTimeline> {
    return this.leadService.timeline(viewer, leadId);
  }

  @Authorized()
  @Mutation(() => ImportLeadsResult, { description: 'Add leads (up to 20,000); each row is reported' })
  addLeads(
    @CurrentViewer() viewer: Viewer,
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('leads', () => [LeadInput]) leads: LeadInput[],
  ): Promise<ImportLeadsResult> {
    return this.imports.addLeads(viewer, campaignId, leads);
  }

  @Authorized()
  @Mutation(() => ImportLeadsResult, {
    description: 'Add leads from CSV text with a header row: public_identifier or linkedin_url and/or provider_id, first_name, last_name, company; other columns become custom fields',
  })
  importLeadsCsv(
    @CurrentViewer() viewer: Viewer,
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('csv') csv: string,
  ): Promise<ImportLeadsResult> {
    return this.imports.importCsv(viewer, campaignId, csv);
  }

  @Authorized()
  @Mutation(() => Lead, { description: 'Stop a lead and mark it excluded; its history stays' })
  removeLead(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<Lead> {
    return this.leadService.remove(viewer, id);
  }

  @FieldResolver(() => Campaign)
  async campaign(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<Campaign> {
    const viewer = ctx.viewer!;
    const loader = ctx.loaders.get('campaignById', async (ids) => byKeys(ids, await this.campaigns.byIds(viewer, ids), (c) => c.id));
    return (await loader.load(lead.campaignId))!;
  }

  @FieldResolver(() => LinkedInAccount, { nullable: true, description: 'The sender this lead is pinned to' })
  async account(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<LinkedInAccount | null> {
    if (!lead.accountId) return null;
    const viewer = ctx.viewer!;
    const loader = ctx.loaders.get('accountById', async (ids) => byKeys(ids, await this.accounts.byIds(viewer, ids), (a) => a.id));
    return loader.load(lead.accountId);
  }
}
