import { Arg, Args, Authorized, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../../core/graphql/auth-checker';
import { type Page, PageArgs } from '../../core/graphql/pagination';
import type { Viewer } from '../../core/graphql/viewer';
import { DoNotContact } from './do-not-contact.entity';
import type { DoNotContactService } from './do-not-contact.service';
import { DoNotContactConnection, DoNotContactInput } from './lead.types';

@Resolver(() => DoNotContact)
export class DoNotContactResolver {
  constructor(private readonly service: DoNotContactService) {}

  @Authorized()
  @Query(() => DoNotContactConnection, { description: "The workspace's do-not-contact list" })
  doNotContact(@CurrentViewer() viewer: Viewer, @Args() args: PageArgs): Promise<Page<DoNotContact>> {
    return this.service.list(viewer, args);
  }

  @Authorized()
  @Mutation(() => [DoNotContact], { description: 'Never contact these people; they leave every active sequence now' })
  addToDoNotContact(
    @CurrentViewer() viewer: Viewer,
    @Arg('entries', () => [DoNotContactInput]) entries: DoNotContactInput[],
  ): Promise<DoNotContact[]> {
    return this.service.add(viewer, entries);
  }

  @Authorized()
  @Mutation(() => Boolean)
  removeFromDoNotContact(@CurrentViewer() viewer: Viewer, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.service.remove(viewer, id);
  }
}
