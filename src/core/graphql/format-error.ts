import { AsyncLocalStorage } from 'node:async_hooks';
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

// The logger of the request whose errors are being formatted (Apollo's formatError gets no context).
const requestLog = new AsyncLocalStorage<Logger>();

/**
 * Runs `fn` (answering one HTTP request or WebSocket message) with `log` as the logger of the
 * unexpected errors it formats, so those lines carry the request's `reqId`.
 */
export function withRequestLog<T>(log: Logger, fn: () => T): T {
  return requestLog.run(log, fn);
}

/**
 * The one mapping from thrown errors to what clients see: domain errors keep their code,
 * validation failures become BAD_USER_INPUT with the failed constraints, anything unexpected
 * is logged in full (on the request's logger, see withRequestLog) and reported as
 * INTERNAL_SERVER_ERROR without internals.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Errors thrown outside resolvers (plugins, subscribe functions) arrive wrapped once more.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError ? unwrapped.originalError : unwrapped;
    const where = { path: formatted.path, locations: formatted.locations };
    if (original instanceof DomainError) {
      // The wrapping GraphQLError's message: the domain error's own, unless a plugin trimmed it
      // (suggestions, see introspection.ts).
      return { message: formatted.message, ...where, extensions: { ...original.details, code: original.code } };
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
    // Apollo refuses some requests with a 4xx status but no code (an APQ hash that does not match
    // its query, an unknown APQ version): the request is at fault.
    if (isCodelessClientError(unwrapped)) {
      return { message: formatted.message, ...where, extensions: { code: 'BAD_REQUEST' } };
    }
    (requestLog.getStore() ?? log).error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function isCodelessClientError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
