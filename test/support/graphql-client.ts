import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLFormattedError, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export type GraphQLResponse<T> = { status: number; data?: T | null; errors?: GraphQLFormattedError[] };

/** Sends a typed operation over HTTP as a client would (JSON POST, optional bearer token). */
export async function gql<TData, TVars>(
  url: string,
  document: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
  token?: string,
): Promise<GraphQLResponse<TData>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse<TData>, 'status'>) };
}

/** Like gql, but fails the test when the operation returns errors. */
export async function gqlOk<TData, TVars>(
  url: string,
  document: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
  token?: string,
): Promise<TData> {
  const res = await gql(url, document, variables, token);
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** First error code of a response, for asserting on `extensions.code`. */
export const errorCode = (res: GraphQLResponse<unknown>): unknown => res.errors?.[0]?.extensions?.code;

export type WsConnection = { client: Client; closed: Promise<{ code: number; reason: string }> };

/** A graphql-ws client; `closed` resolves with the close code (4403 when the server refuses). */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): WsConnection {
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    on: { closed: (event) => resolveClosed(event as { code: number; reason: string }) },
    onNonLazyError: () => undefined,
  });
  return { client, closed };
}

/** Collects the first `count` results of a subscription. */
export function takeSubscription<TData, TVars>(
  client: Client,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  count: number,
): Promise<Array<{ data?: TData | null; errors?: readonly GraphQLFormattedError[] }>> {
  return new Promise((resolve, reject) => {
    const results: Array<{ data?: TData | null; errors?: readonly GraphQLFormattedError[] }> = [];
    const dispose = client.subscribe<TData>(
      { query: print(document), variables: variables as Record<string, unknown> },
      {
        next: (value) => {
          results.push(value);
          if (results.length === count) {
            dispose();
            resolve(results);
          }
        },
        error: reject,
        complete: () => resolve(results),
      },
    );
  });
}
