// The real graphql-ws client against a started test server, and a collector
// for what a subscription pushes.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestServer } from './server.ts';

const clients: Client[] = [];

/** Disposes every client `connect` opened (afterAll). */
export async function disposeClients(): Promise<void> {
  for (const client of clients.splice(0)) await client.dispose();
}

export function connect(
  target: Pick<TestServer, 'url'>,
  token: string | undefined,
  onClosed?: (code: number) => void,
): Client {
  const client = createClient({
    url: `${target.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
    onNonLazyError: () => {},
  });
  clients.push(client);
  return client;
}

/** Collects pushed results of one subscription. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) results.push(result.data as T);
      },
      error: (error) => errors.push(error),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    results,
    errors,
    dispose,
    get completed() {
      return completed;
    },
    /**
     * The `extensions.code` of the first error the subscription got, waiting
     * for one up to `timeoutMs` (undefined: none came). graphql-ws hands a
     * refused subscription's errors over as a list.
     */
    async errorCode(timeoutMs = 5_000): Promise<string | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const first = (Array.isArray(errors[0]) ? errors[0][0] : errors[0]) as
        | { extensions?: { code?: string } }
        | undefined;
      return first?.extensions?.code;
    },
    async until(count: number, timeoutMs = 8_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (Date.now() > deadline)
          throw new Error(`got ${results.length} of ${count} (errors: ${JSON.stringify(errors)})`);
        if (errors.length > 0) throw new Error(JSON.stringify(errors));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return results;
    },
  };
}
