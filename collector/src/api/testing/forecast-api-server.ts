/**
 * The forecast route and the query API on their own express app and a free port, mounted as the
 * collector mounts them, over a store with generated traffic (test/src/traffic), for the tests of
 * the forecast's clients (CLI, dashboard): `mount` adds more (the dashboard's pages).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { QueryStore } from '../../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../../receivers/api-key-auth.js';
import { createForecastRouter } from '../forecast-routes.js';
import { createQueryRouter } from '../query-router.js';

export interface ForecastApiServer {
  /** `http://127.0.0.1:port`; the API is under `/api/v1`. */
  url: string;
  close(): Promise<void>;
}

export async function startForecastApiServer(store: QueryStore, keys: Record<string, string>, now: Date, mount?: (app: Express) => void): Promise<ForecastApiServer> {
  const authenticate = createApiKeyAuthenticator(new Map(Object.entries(keys)));
  const app = express();
  app.use('/api/v1', createForecastRouter({ store: { client: store.client, database: store.database }, authenticate, now: () => now }));
  app.use('/api/v1', createQueryRouter({ api: store.service, authenticate }));
  mount?.(app);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
