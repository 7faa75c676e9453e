import { setTimeout as sleep } from 'node:timers/promises';
import { Arg, Authorized, Field, Int, ObjectType, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { InputError, UnauthenticatedError } from '../../core/errors';
import type { GraphQLContext } from '../../core/graphql/context';

@ObjectType({ description: 'A tick proving the subscription channel is alive end to end' })
export class Heartbeat {
  @Field(() => Int, { description: 'Counts from 1 for each subscription' })
  sequence!: number;

  @Field()
  at!: Date;
}

// An iterator whose return() cancels the pending timer at once, so an unsubscribe or a server
// shutdown never waits for the next tick.
function ticks(intervalSeconds: number): AsyncIterableIterator<Heartbeat> {
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 3600) {
    throw new InputError('intervalSeconds must be between 1 and 3600');
  }
  const stop = new AbortController();
  let sequence = 0;
  return {
    async next() {
      if (sequence > 0) {
        try {
          await sleep(intervalSeconds * 1000, undefined, { signal: stop.signal });
        } catch {
          return { done: true, value: undefined };
        }
      }
      if (stop.signal.aborted) return { done: true, value: undefined };
      sequence += 1;
      return { done: false, value: { sequence, at: new Date() } };
    },
    async return() {
      stop.abort();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

@Resolver()
export class HeartbeatResolver {
  @Authorized()
  @Subscription(() => Heartbeat, {
    description: 'Emits at once, then every intervalSeconds (1 to 3600): lets a client check its authenticated channel',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { intervalSeconds: number }, GraphQLContext>) => {
      if (!context.viewer) throw new UnauthenticatedError();
      return ticks(args.intervalSeconds);
    },
  })
  heartbeat(@Root() tick: Heartbeat, @Arg('intervalSeconds', () => Int, { defaultValue: 15 }) _intervalSeconds: number): Heartbeat {
    return tick;
  }
}
