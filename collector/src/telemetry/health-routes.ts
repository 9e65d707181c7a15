/**
 * GET /health (liveness, with the counters and spool state as JSON), GET /ready (503 while the
 * storage path is failing and batches go to the spool), GET /metrics (the counters, Prometheus).
 */
import type { Express } from 'express';
import type { CollectorCounters } from './collector-counters.js';

export interface StorageState {
  healthy: boolean;
  spooledBatches: number;
  spooledBytes: number;
}

export function mountHealthRoutes(app: Express, counters: CollectorCounters, storage: () => StorageState): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', counters: counters.snapshot(), storage: storage() });
  });
  app.get('/ready', (_req, res) => {
    const state = storage();
    res.status(state.healthy ? 200 : 503).json({ ready: state.healthy, storage: state });
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(counters.toPrometheus());
  });
}
