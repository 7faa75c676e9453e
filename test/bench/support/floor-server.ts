import { createServer } from 'node:http';
import { createPubSub } from '@graphql-yoga/subscription';
import {
  type DocumentNode,
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { sharedSubscribe } from '../../../src/core/graphql/shared-subscribe';

// The fan-out floor, in a process of its own like the real server: a bare graphql-ws server with
// an in-process pubsub, no auth, no filter (each subscriber subscribes to its workspace's topic).
// It fans out as the service does: a query text is parsed and validated once, and an event is
// executed once per operation and audience (the service's sharedSubscribe; here the workspace is
// in the query text), then only serialized and written per socket. Left out: authentication,
// the database, NOTIFY and the live-event feed, limits, metrics and logging.
// POST /publish?workspace=N with the text as body publishes one reply; GET /subscriptions answers
// how many subscriptions are open (attached to the pubsub).
const pubsub = createPubSub<Record<string, [{ text: string }]>>();
const reply = new GraphQLObjectType({ name: 'Reply', fields: { text: { type: new GraphQLNonNull(GraphQLString) } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      replyReceived: {
        type: new GraphQLNonNull(reply),
        args: { workspace: { type: GraphQLInt } },
        subscribe: (_root: unknown, args: { workspace?: number }) => pubsub.subscribe(`reply:${args.workspace ?? 0}`),
        resolve: (payload: unknown) => payload,
      },
    },
  }),
});

const documents = new Map<string, DocumentNode>();
let open = 0;

const http = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += String(chunk)));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/subscriptions') return void res.writeHead(200).end(JSON.stringify({ open }));
    const workspace = Number(url.searchParams.get('workspace') ?? 0);
    pubsub.publish(`reply:${workspace}`, { text: body });
    res.writeHead(200).end('{}');
  });
});
useServer(
  {
    schema,
    onSubscribe: (_ctx, _id, payload) => {
      let document = documents.get(payload.query);
      if (!document) {
        document = parse(payload.query);
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid.map((e) => new GraphQLError(e.message));
        documents.set(payload.query, document);
      }
      return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
    },
    subscribe: sharedSubscribe(() => '', { inc: () => (open += 1), dec: () => (open -= 1) }),
  },
  new WebSocketServer({ server: http, path: '/graphql' }),
);
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`{"url":"http://127.0.0.1:${(http.address() as { port: number }).port}/graphql"}\n`);
});
