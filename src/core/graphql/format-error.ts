import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { isInvalidInputValue } from '../db/errors';
import { DomainError } from '../errors';
import type { Logger } from '../logger';

// Codes that graphql-js and Apollo produce themselves for bad requests; they are safe to return.
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one mapping from thrown errors to what clients see: domain errors keep their code,
 * validation failures become BAD_USER_INPUT with the failed constraints, anything unexpected
 * is logged in full and reported as INTERNAL_SERVER_ERROR without internals.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Errors thrown outside resolvers (plugins, subscribe functions) arrive wrapped once more.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError ? unwrapped.originalError : unwrapped;
    const where = { path: formatted.path, locations: formatted.locations };
    if (original instanceof DomainError) {
      return { message: original.message, ...where, extensions: { ...original.details, code: original.code } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = original.extensions.validationErrors.map((e) => ({
        field: e.property,
        constraints: Object.values(e.constraints ?? {}),
        children: e.children?.map((c) => ({ field: c.property, constraints: Object.values(c.constraints ?? {}) })),
      }));
      return { message: 'Input is invalid', ...where, extensions: { code: 'BAD_USER_INPUT', fields } };
    }
    if (isInvalidInputValue(original)) {
      return { message: 'An argument has an invalid format (for example an id that is not one)', ...where, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      return { message: formatted.message, ...where, extensions: { code } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
