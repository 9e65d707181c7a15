/**
 * The alerts API (issue 13), mounted at /api/v1/alerts beside the query API and authenticated
 * the same way (the API key names the project; every route sees that project's rules and
 * history only). Rules: list, create, read, replace, delete, test (evaluate now and send a test
 * notification); history. Webhook secrets are write-only: answers show `"(hidden)"`, and a rule
 * sent back with `"(hidden)"` keeps the secret it had for that URL. OpenAPI: alert-openapi.ts.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AlertError, type AlertService, type StoredRule } from '../alerts/index.js';
import { HIDDEN_SECRET } from '../alerts/rule-secrets.js';
import { DEFAULT_PROJECT_ID, projectFor, type Authenticate, type RequestHeaders } from '../receivers/api-key-auth.js';
import { notFound, sendError } from './query-api-error.js';
import { checkKnown, parseLimit, parseTimeRange, single, type ParamValues } from './query-params.js';

export interface AlertRouterOptions {
  /** Absent (alerts.enabled false): every route answers 404 saying so. */
  alerts: AlertService | undefined;
  authenticate?: Authenticate;
  log?: (message: string) => void;
}

const BODY_LIMIT = '64kb';

export function createAlertRouter(options: AlertRouterOptions): Router {
  const authenticate = options.authenticate ?? (() => DEFAULT_PROJECT_ID);
  const log = options.log ?? ((m: string) => console.error(`[tokentrace-collector] ${m}`));
  const router = express.Router();
  const json = express.json({ limit: BODY_LIMIT });

  const route = (status: number, handler: (alerts: AlertService, projectId: string, req: Request) => Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        if (!options.alerts) throw notFound('alerts are disabled on this collector (alerts.enabled is false)');
        const result = await handler(options.alerts, res.locals.projectId as string, req);
        if (result === undefined) res.status(status).end();
        else res.status(status).json(result);
      } catch (err) {
        sendAlertError(res, err, log);
      }
    };
  const id = (req: Request) => req.params.id as string;

  router.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      res.locals.projectId = projectFor(authenticate, req.headers as RequestHeaders);
      next();
    } catch (err) {
      sendError(res, err, log);
    }
  });

  router.get('/rules', route(200, async (alerts, projectId, req) => {
    checkKnown(req.query as ParamValues, []);
    return { items: (await alerts.listRules(projectId)).map(shown), billingDay: alerts.billingDay };
  }));
  router.post('/rules', json, route(201, async (alerts, projectId, req) => shown(await alerts.createRule(projectId, req.body))));
  router.get('/rules/:id', route(200, async (alerts, projectId, req) => shown(await alerts.getRule(projectId, id(req)))));
  router.put('/rules/:id', json, route(200, async (alerts, projectId, req) => shown(await alerts.updateRule(projectId, id(req), req.body))));
  router.delete('/rules/:id', route(204, async (alerts, projectId, req) => {
    await alerts.deleteRule(projectId, id(req));
    return undefined;
  }));
  router.post('/rules/:id/test', route(200, async (alerts, projectId, req) => alerts.testRule(projectId, id(req))));
  router.get('/history', route(200, async (alerts, projectId, req) => {
    const q = req.query as ParamValues;
    checkKnown(q, ['ruleId', 'limit', 'since', 'from', 'to']);
    const range = q.since !== undefined || q.from !== undefined ? parseTimeRange(q, '30d') : undefined;
    return { items: await alerts.listHistory(projectId, { ruleId: single(q, 'ruleId'), limit: parseLimit(q, 100), sinceMs: range?.from.getTime() }) };
  }));

  router.use((req, res) => {
    sendError(res, notFound(`no endpoint ${req.method} ${req.baseUrl}${req.path} (see /api/v1/openapi.json)`), log);
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendAlertError(res, err, log);
  });
  return router;
}

/** A rule as answered: webhook secrets hidden. */
function shown(rule: StoredRule): StoredRule {
  return { ...rule, channels: rule.channels.map((c) => (c.type === 'webhook' ? { ...c, secret: HIDDEN_SECRET } : c)) };
}

/** A refused rule is a 400 naming the field; a rule of no such id in the project a 404; the rest as the query API answers. */
function sendAlertError(res: Response, err: unknown, log: (message: string) => void): void {
  if (err instanceof AlertError) {
    const status = err.code === 'TOKENTRACE_ALERT_RULE_NOT_FOUND' ? 404 : 400;
    res.status(status).json({ error: { code: err.code, message: err.message, ...(err.field ? { path: err.field } : {}) } });
    return;
  }
  sendError(res, err, log);
}
