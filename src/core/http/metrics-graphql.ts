import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { AppMetrics } from './metrics';

/** Times each GraphQL operation over HTTP, labelled by type and first root field (bounded by the schema). */
export function graphqlMetricsPlugin<T extends object>(metrics: AppMetrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let operationType = 'unknown';
      let operation = 'invalid';
      return {
        async didResolveOperation({ operation: op }) {
          if (!op) return;
          operationType = op.operation;
          operation = firstRootField(op);
        },
        async willSendResponse({ response }) {
          const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
          metrics.graphqlDuration.observe(
            { operation_type: operationType, operation, outcome: failed ? 'error' : 'ok' },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}

function firstRootField(op: OperationDefinitionNode): string {
  const field = op.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return field?.kind === Kind.FIELD ? field.name.value : 'fragment';
}
