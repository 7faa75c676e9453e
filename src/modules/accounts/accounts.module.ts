import { defineModule } from '../module';
import { unipileModule } from '../unipile';
import { AccountRepository } from './account.repository';
import { AccountResolver } from './account.resolver';
import { AccountService } from './account.service';
import { LinkedInAccount } from './linkedin-account.entity';

/** LinkedIn sender accounts: linking through Unipile, limits, working hours, warm-up. */
export const accountsModule = defineModule({
  name: 'accounts',
  entities: [LinkedInAccount],
  resolvers: [AccountResolver],
  create(ctx) {
    const repository = new AccountRepository(ctx.dataSource.manager);
    const accounts = new AccountService(repository, ctx.use(unipileModule).client, ctx.clock);
    return { accounts, repository, resolvers: [new AccountResolver(accounts)] };
  },
});
