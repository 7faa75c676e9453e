import { LoginDocument } from '../graphql/generated';
import { gqlOk } from './graphql-client';
import { FACTORY_PASSWORD } from '../factories/user.factory';

/** Signs in through the API and returns the bearer token. */
export async function loginToken(graphqlUrl: string, email: string, password = FACTORY_PASSWORD): Promise<string> {
  const data = await gqlOk(graphqlUrl, LoginDocument, { email, password });
  return data.login.token;
}
