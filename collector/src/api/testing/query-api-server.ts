/**
 * The query API on its own express app and a free port, for tests of the API and of its clients
 * (CLI, dashboard): the same router the collector mounts, over any QueryApi, with API keys.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { QueryApi } from '../../queries/query-model.js';
import { createApiKeyAuthenticator } from '../../receivers/api-key-auth.js';
import { createQueryRouter } from '../query-router.js';

export interface QueryApiServer {
  /** Base URL of the server (`http://127.0.0.1:port`); the API is under `/api/v1`. */
  url: string;
  router: ReturnType<typeof createQueryRouter>;
  /** What the router logged (unexpected failures). */
  logged: string[];
  close(): Promise<void>;
}

/** `keys`: API key → project; empty means auth off (every caller is project `default`). */
export async function startQueryApiServer(api: QueryApi, keys: Record<string, string> = {}): Promise<QueryApiServer> {
  const logged: string[] = [];
  const router = createQueryRouter({ api, authenticate: createApiKeyAuthenticator(new Map(Object.entries(keys))), log: (m) => logged.push(m) });
  const app = express();
  app.use('/api/v1', router);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    router,
    logged,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
