/**
 * The query API (issue 4: "HTTP API (express, served by the collector): documented endpoints
 * ... JSON in and out, authenticated like ingest") as an express Router, mounted at /api/v1 on the
 * collector's HTTP port. Every route reads its inputs through query-params.ts, asks the QueryApi
 * for the caller's project only, and answers JSON; errors go through query-api-error.ts.
 *
 * Authentication is ingest's own (`projectFor` over the same Authenticate): same headers, same
 * 401/403, and the key decides the project, so one project's key never reads another's spans.
 * The OpenAPI description is public: it holds no data, and tools fetch it without credentials.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { QueryApi } from '../queries/query-model.js';
import { DEFAULT_PROJECT_ID, projectFor, type Authenticate, type RequestHeaders } from '../receivers/api-key-auth.js';
import { notFound, QueryApiError, sendError } from './query-api-error.js';
import { openApiDocument } from './openapi.js';
import {
  checkKnown,
  parseBucket,
  parseCursor,
  parseFilterParam,
  parseGroupBy,
  parseHexId,
  parseLimit,
  parseSessionId,
  parseTimeRange,
  type ParamValues,
} from './query-params.js';

export interface QueryRouterOptions {
  api: QueryApi;
  /** The receivers' authenticator; absent: every caller is project `default` (auth off). */
  authenticate?: Authenticate;
  /** Where unexpected failures are logged (they are answered with a generic 500). */
  log?: (message: string) => void;
}

/** Default time windows (contract): requests look back a day, analytics a week. */
export const DEFAULT_SINCE = { requests: '24h', analytics: '7d' } as const;
const TIME = ['since', 'from', 'to'];
const BODY_LIMIT = '256kb';

export function createQueryRouter(options: QueryRouterOptions): Router {
  const { api } = options;
  const authenticate = options.authenticate ?? (() => DEFAULT_PROJECT_ID);
  const log = options.log ?? ((m: string) => console.error(`[tokentrace-collector] ${m}`));
  const router = express.Router();
  const json = express.json({ limit: BODY_LIMIT });

  /** Runs a handler for the caller's project and answers its result as JSON (null → 404). */
  const route = (handler: (input: ParamValues, projectId: string, req: Request) => Promise<unknown>, notFoundMessage?: (req: Request) => string) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        const input = req.method === 'POST' ? bodyOf(req) : (req.query as ParamValues);
        const result = await handler(input, res.locals.projectId as string, req);
        if (result === null && notFoundMessage) throw notFound(notFoundMessage(req));
        res.json(result);
      } catch (err) {
        sendError(res, err, log);
      }
    };

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  router.use((req, res, next) => {
    try {
      res.locals.projectId = projectFor(authenticate, req.headers as RequestHeaders);
      next();
    } catch (err) {
      sendError(res, err, log);
    }
  });

  router.get('/traces/:traceId', route(async (q, projectId, req) => {
    checkKnown(q, []);
    return api.traceTree({ projectId, traceId: parseHexId(req.params.traceId as string, 'traceId') });
  }, (req) => `no trace ${req.params.traceId} in this project`));

  router.get('/sessions/:sessionId', route(async (q, projectId, req) => {
    checkKnown(q, []);
    return api.sessionTree({ projectId, sessionId: parseSessionId(req.params.sessionId as string) });
  }, (req) => `no session ${JSON.stringify(req.params.sessionId)} in this project`));

  router.get('/sessions', route(async (q, projectId) => {
    checkKnown(q, [...TIME, 'filter']);
    const items = await api.sessionStats({ projectId, range: parseTimeRange(q, DEFAULT_SINCE.analytics), filter: parseFilterParam(q, false) });
    return { items };
  }));

  const listRequests = (jsonFilter: boolean) => route(async (q, projectId) => {
    checkKnown(q, [...TIME, 'filter', 'limit', 'cursor']);
    return api.listRequests({
      projectId,
      range: parseTimeRange(q, DEFAULT_SINCE.requests),
      filter: parseFilterParam(q, jsonFilter),
      limit: parseLimit(q),
      cursor: parseCursor(q),
    });
  });
  router.get('/requests', listRequests(false));
  router.post('/requests/query', json, listRequests(true));

  router.get('/requests/:traceId/:spanId', route(async (q, projectId, req) => {
    checkKnown(q, []);
    const traceId = parseHexId(req.params.traceId as string, 'traceId');
    return api.getRequest({ projectId, traceId, spanId: parseHexId(req.params.spanId as string, 'spanId') });
  }, (req) => `no request ${req.params.traceId}/${req.params.spanId} in this project`));

  const analytics = (jsonFilter: boolean) => route(async (q, projectId) => {
    checkKnown(q, [...TIME, 'bucket', 'groupBy', 'filter', 'limit']);
    return api.analytics({
      projectId,
      range: parseTimeRange(q, DEFAULT_SINCE.analytics),
      bucket: parseBucket(q),
      groupBy: parseGroupBy(q),
      filter: parseFilterParam(q, jsonFilter),
      limit: parseLimit(q),
    });
  });
  router.get('/analytics', analytics(false));
  router.post('/analytics/query', json, analytics(true));

  router.get('/users/top', route(async (q, projectId) => {
    checkKnown(q, [...TIME, 'limit', 'filter']);
    const items = await api.topUsers({ projectId, range: parseTimeRange(q, DEFAULT_SINCE.analytics), limit: parseLimit(q, 10), filter: parseFilterParam(q, false) });
    return { items };
  }));

  // Issue 14: who hit rate limits and budgets, how often (collector/src/queries/rate-limit-hits.ts).
  router.get('/rate-limits', route(async (q, projectId) => {
    checkKnown(q, [...TIME, 'limit']);
    if (!api.rateLimitHits) throw notFound('rate-limit statistics are not available here');
    const items = await api.rateLimitHits({ projectId, range: parseTimeRange(q, DEFAULT_SINCE.analytics), limit: parseLimit(q, 20) });
    return { items };
  }));

  router.use((req, res) => {
    sendError(res, notFound(`no endpoint ${req.method} ${req.baseUrl}${req.path} (see ${req.baseUrl}/openapi.json)`), log);
  });
  // express.json()'s refusals arrive here, as do errors of any middleware.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, err, log);
  });
  return router;
}

/** The POST body: a JSON object; no body at all means every default. */
function bodyOf(req: Request): ParamValues {
  if (req.body === undefined) {
    if (req.is('application/json') === null || req.headers['content-length'] === '0') return {};
    throw new QueryApiError(415, 'TOKENTRACE_INVALID_QUERY', 'body: send JSON with Content-Type: application/json', 'body');
  }
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new QueryApiError(400, 'TOKENTRACE_INVALID_QUERY', 'body: expected a JSON object', 'body');
  }
  return req.body as ParamValues;
}
