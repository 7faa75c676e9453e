import { type AuthCheckerFn, createParameterDecorator } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Viewer } from './viewer';
import type { GraphQLContext } from './context';

/** @Authorized(OPERATOR): an instance operator (a flag on the user, read from the database with the role). */
export const OPERATOR = 'OPERATOR';

// @Authorized() needs a signed-in viewer; @Authorized('ADMIN') also needs that role;
// @Authorized(OPERATOR) an instance operator.
export const authChecker: AuthCheckerFn<GraphQLContext> = ({ context }, roles) => {
  const viewer = context.viewer;
  if (!viewer) throw new UnauthenticatedError();
  if (roles.length === 0 || roles.includes(viewer.role) || (viewer.operator && roles.includes(OPERATOR))) return true;
  throw new ForbiddenError(roles.includes(OPERATOR) ? 'Requires an instance operator' : `Requires role ${roles.join(' or ')}`);
};

/** The signed-in caller; use on operations guarded by @Authorized. */
export function CurrentViewer() {
  return createParameterDecorator<GraphQLContext>(({ context }): Viewer => {
    if (!context.viewer) throw new UnauthenticatedError();
    return context.viewer;
  });
}
