import type { ApolloServerPlugin } from '@apollo/server';
import type { AppMetrics } from './metrics';

/** Distinct operation names kept as labels; later ones are counted as 'other'. */
const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * Operation names → metrics labels. Names come from clients, so they are capped in number and
 * length to keep the metric's cardinality bounded. One per server: the fast path labels alike.
 */
export function createOperationLabel(): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_LABELS) return 'other';
    seen.add(name);
    return name;
  };
}

/** Observes each GraphQL-over-HTTP operation's duration by operation name. */
export function graphqlMetricsPlugin(
  metrics: AppMetrics,
  label: (name: string | null | undefined) => string = createOperationLabel(),
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const end = metrics.graphqlOperationDuration.startTimer();
      return {
        async willSendResponse({ operationName, operation, response, errors }) {
          const body = response.body;
          const failed =
            (errors?.length ?? 0) > 0 ||
            (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          end({
            operation: label(operationName),
            type: operation?.operation ?? 'unknown',
            outcome: failed ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
