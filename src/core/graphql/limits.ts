import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type ExecutionArgs, GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DomainError, InputError } from '../errors';
import { cacheLimitVerdicts } from './limits-cache';
import { nulInputError } from './nul-input';
import { measureOperation } from './operation-size';

export type OperationLimits = {
  /** Deepest field nesting an operation may select (introspection fields excluded). */
  maxDepth: number;
  /** Highest estimated cost: one per field, lists multiplied by their `first` page size or `days`. */
  maxComplexity: number;
  /** Most lexical tokens a document may have: parsing stops there (GRAPHQL_PARSE_FAILED). */
  maxTokens: number;
};

/**
 * Selections an operation may have once its fragments are expanded. Checked in linear time
 * before the cost is estimated, because graphql-query-complexity walks every expanded selection.
 */
export const MAX_EXPANDED_SELECTIONS = 10_000;

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

/**
 * The TypeGraphQL `complexity` of a field whose lists are as long as an Int argument says (`days`
 * days of usage): its selection counts once per element, as a page of `first` does. Aliases of the
 * field are costed one by one, so 50 of them cost 50 times as much.
 */
export function costPer(argument: string): ComplexityEstimator {
  return ({ args, childComplexity }) => {
    const size = args[argument];
    return 1 + childComplexity * (typeof size === 'number' && size > 1 ? size : 1);
  };
}

// A field's own `complexity` (costPer above) comes first.
const ESTIMATORS = [fieldExtensionsEstimator(), pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })];

/**
 * Checks a document that already passed standard validation against the depth and cost limits.
 * Depth and expanded size are measured once per fragment (linear in the document) before any
 * walk that expands fragments at every spread, so a fragment bomb is refused in microseconds.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  limits: OperationLimits,
): DomainError | undefined {
  const size = measureOperation(document, operationName);
  if (size.depth > limits.maxDepth) {
    return new QueryLimitError('QUERY_TOO_DEEP', `Operation exceeds the maximum depth of ${limits.maxDepth}`, {
      maxDepth: limits.maxDepth,
      depth: size.depth,
    });
  }
  if (size.selections > MAX_EXPANDED_SELECTIONS) {
    return new QueryLimitError('QUERY_TOO_COMPLEX', `Operation has more than ${MAX_EXPANDED_SELECTIONS} selections once its fragments are expanded`, {
      maxComplexity: limits.maxComplexity,
      maxSelections: MAX_EXPANDED_SELECTIONS,
    });
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables,
      operationName: operationName ?? undefined,
      estimators: ESTIMATORS,
      // The library counts no more selections than measureOperation did (it skips @skip'ped ones),
      // so its own node cap, a GraphQLError like a coercion error, is never what refuses.
      maxQueryNodes: MAX_EXPANDED_SELECTIONS + 1,
    });
  } catch (error) {
    // Variables that do not coerce are the caller's mistake; anything else could not be costed.
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

/**
 * Apollo: refuses an operation with a NUL character in any string input (nul-input.ts), after
 * validation and before execution.
 */
export function nulInputPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const error = nulInputError(document, request.variables);
          if (error) throw requestError(error);
        },
      };
    },
  };
}

/** Query texts whose parsed and validated document is kept for WebSocket operations. */
const MAX_WS_DOCUMENTS = 1_000;

/**
 * graphql-ws: the same parse → validate → NUL → limits pipeline as HTTP, every error with a code.
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
        document = parse(payload.query, { maxTokens: limits.maxTokens });
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
    const nul = nulInputError(document, payload.variables ?? undefined);
    if (nul) return [requestError(nul)];
    const limited = check(document, payload.variables ?? undefined, payload.operationName);
    if (limited) return [requestError(limited)];
    return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
  };
}
