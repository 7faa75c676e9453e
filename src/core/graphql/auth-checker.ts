import { type AuthCheckerFn, createParameterDecorator } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Viewer } from '../../modules/auth/viewer';
import type { GraphQLContext } from './context';

// @Authorized() needs a signed-in viewer; @Authorized('ADMIN') also needs that role.
export const authChecker: AuthCheckerFn<GraphQLContext> = ({ context }, roles) => {
  if (!context.viewer) throw new UnauthenticatedError();
  if (roles.length > 0 && !roles.includes(context.viewer.role)) throw new ForbiddenError(`Requires role ${roles.join(' or ')}`);
  return true;
};

/** The signed-in caller; use on operations guarded by @Authorized. */
export function CurrentViewer() {
  return createParameterDecorator<GraphQLContext>(({ context }): Viewer => {
    if (!context.viewer) throw new UnauthenticatedError();
    return context.viewer;
  });
}
