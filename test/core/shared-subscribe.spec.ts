import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, type ExecutionResult, parse } from 'graphql';
import { sharedSubscribe } from '../../src/core/graphql/shared-subscribe';

// A schema whose subscription resolver counts its runs; the source is a queue the test pushes to.
function world() {
  const sources: Array<{ push(event: unknown): void; fail(error: Error): void; returned: boolean }> = [];
  let resolved = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        said: {
          type: new GraphQLNonNull(GraphQLString),
          args: { suffix: { type: GraphQLString } },
          subscribe: () => {
            const waiting: Array<{ resolve(r: IteratorResult<unknown>): void; reject(error: Error): void }> = [];
            const queued: unknown[] = [];
            const source = {
              returned: false,
              push(event: unknown) {
                const next = waiting.shift();
                if (next) next.resolve({ done: false, value: event });
                else queued.push(event);
              },
              fail(error: Error) {
                for (const next of waiting.splice(0)) next.reject(error);
              },
            };
            sources.push(source);
            return {
              next: () =>
                queued.length > 0 ? Promise.resolve({ done: false, value: queued.shift() }) : new Promise((resolve, reject) => waiting.push({ resolve, reject })),
              return: () => {
                source.returned = true;
                for (const next of waiting.splice(0)) next.resolve({ done: true, value: undefined });
                return Promise.resolve({ done: true, value: undefined });
              },
              [Symbol.asyncIterator]() {
                return this;
              },
            };
          },
          resolve: (event: { text: string } | string, args: { suffix?: string }) => {
            resolved += 1;
            return `${typeof event === 'string' ? event : event.text}${args.suffix ?? ''}`;
          },
        },
      },
    }),
  });
  return { schema, sources, resolved: () => resolved };
}

const subscribe = sharedSubscribe((context) => (context as { workspace: string }).workspace);
const document = parse('subscription ($suffix: String) { said(suffix: $suffix) }');

async function open(schema: GraphQLSchema, workspace: string, variables: Record<string, unknown> = {}) {
  const stream = (await subscribe({ schema, document, contextValue: { workspace }, variableValues: variables })) as AsyncIterableIterator<ExecutionResult>;
  return stream;
}

describe('sharedSubscribe', () => {
  it('executes an event once for subscribers with the same operation and audience', async () => {
    const w = world();
    const streams = await Promise.all([open(w.schema, 'w1'), open(w.schema, 'w1'), open(w.schema, 'w1')]);
    const event = { text: 'hello' };
    const results = streams.map((s) => s.next());
    for (const source of w.sources) source.push(event);
    const values = await Promise.all(results);
    expect(values.map((v) => v.value)).toEqual([{ data: { said: 'hello' } }, { data: { said: 'hello' } }, { data: { said: 'hello' } }]);
    expect(w.resolved()).toBe(1);
  });

  it('executes separately per audience, per variables and per event', async () => {
    const w = world();
    const streams = await Promise.all([open(w.schema, 'w1'), open(w.schema, 'w2'), open(w.schema, 'w1', { suffix: '!' })]);
    for (const text of ['one', 'two']) {
      const results = streams.map((s) => s.next());
      const event = { text };
      for (const source of w.sources) source.push(event);
      expect((await Promise.all(results)).map((r) => r.value)).toEqual([{ data: { said: text } }, { data: { said: text } }, { data: { said: `${text}!` } }]);
    }
    expect(w.resolved()).toBe(6);
  });

  it('executes events that are not objects for each subscriber', async () => {
    const w = world();
    const streams = await Promise.all([open(w.schema, 'w1'), open(w.schema, 'w1')]);
    const results = streams.map((s) => s.next());
    for (const source of w.sources) source.push('tick');
    expect((await Promise.all(results)).map((r) => r.value)).toEqual([{ data: { said: 'tick' } }, { data: { said: 'tick' } }]);
    expect(w.resolved()).toBe(2);
  });

  it('closes the source at once when the subscriber leaves, without waiting for an event', async () => {
    const w = world();
    const stream = await open(w.schema, 'w1');
    const pending = stream.next();
    await stream.return!();
    expect(w.sources[0].returned).toBe(true);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it('counts a subscription open from its source attached until it ends, however it ends', async () => {
    const w = world();
    let open = 0;
    const counted = sharedSubscribe((context) => (context as { workspace: string }).workspace, { inc: () => (open += 1), dec: () => (open -= 1) });
    const start = async (query = 'subscription { said }') =>
      (await counted({ schema: w.schema, document: parse(query), contextValue: { workspace: 'w1' } })) as AsyncIterableIterator<ExecutionResult>;
    const [left, failed, thrown] = [await start(), await start(), await start()];
    expect(open).toBe(3);
    await left.return!();
    await left.return!();
    expect(open).toBe(2);
    // A source that fails (an overflowing subscriber): graphql-ws does not call return() then.
    const next = failed.next();
    w.sources[1].fail(new Error('overflow'));
    await expect(next).rejects.toThrow('overflow');
    expect(open).toBe(1);
    await expect(thrown.throw!(new Error('closing'))).rejects.toThrow('closing');
    expect(open).toBe(0);
    // An operation that cannot subscribe never had a source.
    expect(await start('subscription { said(suffix: 1) }')).toHaveProperty('errors');
    expect(open).toBe(0);
  });

  it('returns the errors of an operation that cannot subscribe', async () => {
    const w = world();
    const result = await subscribe({ schema: w.schema, document: parse('subscription { said(suffix: 1) }'), contextValue: { workspace: 'w1' } });
    expect(result).toHaveProperty('errors');
  });
});
