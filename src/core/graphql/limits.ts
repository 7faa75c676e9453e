import type { ApolloServerPlugin } from '@apollo/server';
import depthLimit from 'graphql-depth-limit';
import { type DocumentNode, type ExecutionArgs, GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DomainError, InputError } from '../errors';
import { cacheLimitVerdicts } from './limits-cache';

export type OperationLimits = {
  /** Deepest field nesting an operation may select (introspection fields excluded). */
  maxDepth: number;
  /** Highest estimated cost: one per field, lists multiplied by their `first` page size. */
  maxComplexity: number;
};

export type LimitErrorCode = 'QUERY_TOO_DEEP' | 'QUERY_TOO_COMPLEX';

export class QueryLimitError extends DomainError {
  constructor(code: LimitErrorCode, message: string, details: Record<string, unknown>) {
    super(code, message, details);
  }
}

// A page of `first` rows costs `first` times its selection: aliases and big pages add up, so a
// single request cannot ask the database for millions of rows.
const pageSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === 'number' && args.first > 1 ? 1 + childComplexity * args.first : undefined;

const ESTIMATORS = [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })];

/**
 * Checks a document that already passed standard validation (so its fragments exist and have no
 * cycles, which graphql-depth-limit does not guard against) against the depth and cost limits.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  limits: OperationLimits,
): DomainError | undefined {
  let depths: Record<string, number> = {};
  const depthErrors = validate(schema, document, [depthLimit(limits.maxDepth, {}, (d: Record<string, number>) => (depths = d))]);
  if (depthErrors.length > 0) {
    return new QueryLimitError('QUERY_TOO_DEEP', `Operation exceeds the maximum depth of ${limits.maxDepth}`, {
      maxDepth: limits.maxDepth,
      depth: Math.max(0, ...Object.values(depths)),
    });
  }
  let complexity: number;
  try {
    complexity = getComplexity({ schema, query: document, variables, operationName: operationName ?? undefined, estimators: ESTIMATORS });
  } catch (error) {
    // Variables that do not coerce are the caller's mistake; a document over the node cap is too costly.
    if (error instanceof GraphQLError) return new InputError(error.message);
    return new QueryLimitError('QUERY_TOO_COMPLEX', 'Operation has too many fields', { maxComplexity: limits.maxComplexity });
  }
  if (complexity > limits.maxComplexity) {
    return new QueryLimitError('QUERY_TOO_COMPLEX', `Operation cost ${complexity} exceeds the maximum of ${limits.maxComplexity}`, {
      maxComplexity: limits.maxComplexity,
      complexity,
    });
  }
  return undefined;
}

/**
 * A domain error raised outside resolvers (plugins, graphql-ws), as a GraphQLError that keeps the
 * code for the error formatter and tells Apollo the HTTP status (otherwise it answers 500).
 */
export function requestError(error: DomainError, httpStatus = 400): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: { code: error.code, http: { status: httpStatus } } });
}

/**
 * Apollo: refuses over-deep or over-costly operations after validation, before execution. The
 * verdicts are remembered (limits-cache.ts): a client repeating an operation is not re-walked.
 */
export function operationLimitsPlugin<T extends object>(schema: GraphQLSchema, limits: OperationLimits): ApolloServerPlugin<T> {
  const check = cacheLimitVerdicts((document, variables, operationName) => checkOperationLimits(schema, document, variables, operationName, limits));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const error = check(document, request.variables, request.operationName);
          if (error) throw requestError(error);
        },
      };
    },
  };
}

/** Query texts whose parsed and validated document is kept for WebSocket operations. */
const MAX_WS_DOCUMENTS = 1_000;

/**
 * graphql-ws: the same parse → validate → limits pipeline as HTTP, every error with a code.
 * Returns the execution arguments (the server's `context` option still supplies the context).
 * A query text is parsed and validated once and its limit verdicts are remembered, as Apollo does
 * over HTTP: thousands of clients sending one subscription get one document object, which also
 * lets sharedSubscribe execute each event once for them.
 */
export function wsOperationPreparer(schema: GraphQLSchema, limits: OperationLimits) {
  const documents = new Map<string, DocumentNode>();
  const check = cacheLimitVerdicts((document, variables, operationName) => checkOperationLimits(schema, document, variables, operationName, limits));
  return (payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }): ExecutionArgs | readonly GraphQLError[] => {
    let document = documents.get(payload.query);
    if (!document) {
      try {
        document = parse(payload.query);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Syntax error';
        return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const invalid = validate(schema, document);
      if (invalid.length > 0) {
        return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      }
      if (documents.size >= MAX_WS_DOCUMENTS) documents.delete(documents.keys().next().value!);
      documents.set(payload.query, document);
    }
    const limited = check(document, payload.variables ?? undefined, payload.operationName);
    if (limited) return [requestError(limited)];
    return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
  };
}
