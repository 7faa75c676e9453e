import { Arg, Authorized, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import { Role } from '../../core/graphql/viewer';
import type { Viewer } from '../../core/graphql/viewer';
import type { AccountService } from './account.service';
import { LinkAccountInput, UnipileAccountOption, UpdateAccountInput } from './account.types';
import { LinkedInAccount } from './linkedin-account.entity';

@Resolver(() => LinkedInAccount)
export class AccountResolver {
  constructor(private readonly service: AccountService) {}

  @Authorized()
  @Query(() => [LinkedInAccount], { description: 'The sender accounts of the workspace' })
  accounts(@CurrentViewer() viewer: Viewer): Promise<LinkedInAccount[]> {
    return this.service.list(viewer);
  }

  @Authorized()
  @Query(() => LinkedInAccount)
  account(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<LinkedInAccount> {
    return this.service.get(viewer, id);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [UnipileAccountOption], { description: 'LinkedIn accounts connected in Unipile that this workspace can link' })
  unipileAccounts(@CurrentViewer() viewer: Viewer): Promise<UnipileAccountOption[]> {
    return this.service.availableUnipileAccounts(viewer);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => LinkedInAccount, { description: 'Link a Unipile LinkedIn account as a sender (checked with Unipile)' })
  linkAccount(@CurrentViewer() viewer: Viewer, @Arg('input') input: LinkAccountInput): Promise<LinkedInAccount> {
    return this.service.link(viewer, input);
  }

  @Authorized()
  @Mutation(() => LinkedInAccount, { description: 'Change limits, hours, warm-up, or pause/resume an account' })
  updateAccount(
    @CurrentViewer() viewer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateAccountInput,
  ): Promise<LinkedInAccount> {
    return this.service.update(viewer, id, input);
  }
}
