import { type DocumentNode, type ExecutionArgs, type ExecutionResult, createSourceEventStream, execute } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-ws's `subscribe`: graphql-js's, except that an event is executed once per operation and
 * audience rather than once per subscriber. One reply announced to 5,000 subscribers of a
 * workspace is then resolved once and only serialized and written 5,000 times.
 *
 * Two subscriptions share an execution of the same event object when they use the same document
 * object (wsOperationPreparer hands out one per query text), operation, variables and audience.
 * So a subscription field may read of its context nothing but what `audienceOf` returns (the
 * workspace and role: true of src/modules/live). Events that are not objects (heartbeat ticks) are
 * executed per subscriber. Results are held by the event object, so they go when it does.
 *
 * `open` counts the subscriptions whose event source exists (for a live subscription: attached to
 * the feed, so nothing published from then on is missed) until each ends, however it ends.
 */
export function sharedSubscribe(audienceOf: (context: unknown) => string, open?: { inc(): void; dec(): void }) {
  const executions = new WeakMap<object, Map<string, Result>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;
  return async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source; // errors, as graphql-js returns them
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = ++documents));
    const key = JSON.stringify([documentId, args.operationName ?? null, args.variableValues ?? null, audienceOf(args.contextValue)]);
    open?.inc();
    let ended = false;
    const end = () => {
      if (!ended) open?.dec();
      ended = true;
    };
    return mapEvents(source[Symbol.asyncIterator](), end, (event) => {
      if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
      let byOperation = executions.get(event);
      if (!byOperation) executions.set(event, (byOperation = new Map()));
      let result = byOperation.get(key);
      if (!result) byOperation.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    });
  };
}

/**
 * The source's events mapped to results. Unlike an async generator, return() reaches the source
 * at once, so a client's "complete" unsubscribes without waiting for one more event. `end` is
 * called when the stream ends: returned, thrown into, done, or failed (an overflow).
 */
function mapEvents(source: AsyncIterator<unknown>, end: () => void, map: (event: unknown) => Result): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      let step: IteratorResult<unknown>;
      try {
        step = await source.next();
      } catch (error) {
        end();
        throw error;
      }
      if (step.done) end();
      return step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value) };
    },
    return: async () => {
      end();
      await source.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      end();
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
