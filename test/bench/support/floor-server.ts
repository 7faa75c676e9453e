import { createServer } from 'node:http';
import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLBoolean, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

// The fan-out floor, in a process of its own like the real server: a bare graphql-ws server with
// an in-process pubsub, no auth, no filter (each subscriber subscribes to its workspace's topic).
// POST /publish?workspace=N with the text as body publishes one reply.
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

const http = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += String(chunk)));
  req.on('end', () => {
    const workspace = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('workspace') ?? 0);
    pubsub.publish(`reply:${workspace}`, { text: body });
    res.writeHead(200).end('{}');
  });
});
useServer({ schema }, new WebSocketServer({ server: http, path: '/graphql' }));
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`{"url":"http://127.0.0.1:${(http.address() as { port: number }).port}/graphql"}\n`);
});
