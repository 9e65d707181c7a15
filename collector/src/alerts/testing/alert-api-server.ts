/**
 * The alerts API on its own express app and a free port, for tests of the API and its clients
 * (CLI, dashboard): the router the collector mounts at /api/v1/alerts over an AlertService on a
 * query store, with API keys, and optionally the query API and the dashboard beside it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAlertRouter } from '../../api/alert-routes.js';
import { createQueryRouter } from '../../api/query-router.js';
import { DEFAULT_ALERTS_CONFIG, type AlertsConfig } from '../../config/alerts-config.js';
import { mountDashboard } from '../../dashboard/index.js';
import type { QueryStore } from '../../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../../receivers/api-key-auth.js';
import { AlertService } from '../alert-service.js';

export interface AlertApiServer {
  /** `http://127.0.0.1:port`; the API is under /api/v1. */
  url: string;
  alerts: AlertService;
  router: ReturnType<typeof createAlertRouter>;
  close(): Promise<void>;
}

export async function startAlertApiServer(store: QueryStore, keys: Record<string, string>, options: { config?: AlertsConfig; dashboard?: boolean; billingDay?: number } = {}): Promise<AlertApiServer> {
  const authenticate = createApiKeyAuthenticator(new Map(Object.entries(keys)));
  const app = express();
  const server = createServer(app);
  let url = '';
  const alerts = new AlertService({ client: store.client, database: store.database, config: options.config ?? DEFAULT_ALERTS_CONFIG, dashboardBase: () => `${url}/dashboard/`, billingDay: options.billingDay, log: () => undefined });
  const router = createAlertRouter({ alerts, authenticate, log: () => undefined });
  app.use('/api/v1/alerts', router);
  if (options.dashboard) {
    app.use('/api/v1', createQueryRouter({ api: store.service, authenticate, log: () => undefined }));
    mountDashboard(app);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    alerts,
    router,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await alerts.stop();
    },
  };
}
