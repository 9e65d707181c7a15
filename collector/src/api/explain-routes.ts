/**
 * `GET /api/v1/explain` and `POST /api/v1/explain` (issue 13 §2): why cost changed between a
 * baseline and a period (collector/src/insights/explain). Mounted beside the query router, with
 * the same authentication (the API key names the project; the answer covers it only), parameter
 * parsing and error answers. Its OpenAPI paths are declared here and listed in openapi.ts.
 */
import express, { type Request, type Response, type Router } from 'express';
import { baselineFor, type Explainer } from '../insights/explain/index.js';
import { DEFAULT_PROJECT_ID, projectFor, type Authenticate, type RequestHeaders } from '../receivers/api-key-auth.js';
import type { Operation, Parameter, Reference } from './openapi-types.js';
import { invalidQuery, QueryApiError, sendError } from './query-api-error.js';
import { checkKnown, parseTimeRange, single, type ParamValues } from './query-params.js';

export interface ExplainRouterOptions {
  explainer: Explainer;
  authenticate?: Authenticate;
  log?: (message: string) => void;
}

/** The period defaults to the last 7 days, the baseline to the 7 days before. */
export const DEFAULT_EXPLAIN_SINCE = '7d';
const KNOWN = ['since', 'from', 'to', 'baseline', 'by', 'topSeries'];

export function createExplainRouter(options: ExplainRouterOptions): Router {
  const authenticate = options.authenticate ?? (() => DEFAULT_PROJECT_ID);
  const log = options.log ?? ((m: string) => console.error(`[tokentrace-collector] ${m}`));
  const router = express.Router();
  const handle = async (req: Request, res: Response): Promise<void> => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      const projectId = projectFor(authenticate, req.headers as RequestHeaders);
      const input = req.method === 'POST' ? bodyOf(req) : (req.query as ParamValues);
      checkKnown(input, KNOWN);
      const range = parseTimeRange(input, DEFAULT_EXPLAIN_SINCE);
      const period = { fromMs: range.from.getTime(), toMs: range.to.getTime() };
      res.json(await options.explainer.explain({ projectId, period, baseline: baselineFor(period, single(input, 'baseline')), by: parseBy(input), topSeries: parseTopSeries(input) }));
    } catch (err) {
      sendError(res, err, log);
    }
  };
  router.get('/explain', handle);
  router.post('/explain', express.json({ limit: '64kb' }), handle);
  return router;
}

function bodyOf(req: Request): ParamValues {
  if (req.body === undefined) return {};
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new QueryApiError(400, 'TOKENTRACE_INVALID_QUERY', 'body: expected a JSON object', 'body');
  return req.body as ParamValues;
}

/** `by`: dimensions, comma-separated or a JSON array. */
function parseBy(values: ParamValues): string[] | undefined {
  const by = values.by;
  if (by === undefined || by === null || by === '') return undefined;
  const list = Array.isArray(by) ? by : typeof by === 'string' ? by.split(',') : undefined;
  if (!list || list.some((d) => typeof d !== 'string' || d.trim() === '')) throw invalidQuery('by', 'expected dimensions such as model,prompt_id,user,property:Feature');
  return list.map((d) => (d as string).trim());
}

function parseTopSeries(values: ParamValues): number | undefined {
  const v = values.topSeries;
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 50) throw invalidQuery('topSeries', `expected an integer from 1 to 50, got ${JSON.stringify(v)}`);
  return n;
}

const ref = (kind: string, name: string): Reference => ({ $ref: `#/components/${kind}/${name}` });
const EXPLAIN_PARAMETERS: Array<Parameter | Reference> = [
  ref('parameters', 'since'), ref('parameters', 'from'), ref('parameters', 'to'),
  { name: 'baseline', in: 'query', description: 'previous (default: the same length just before), previous-week (the same hours 7 days earlier) or <from>..<to> (ISO-8601)', schema: { type: 'string', examples: ['previous', 'previous-week', '2026-11-01..2026-11-08'] } },
  { name: 'by', in: 'query', description: 'dimensions, comma-separated: model, prompt_id, user, service, environment, property:<Name> (default: all, with every custom property)', schema: { type: 'string', examples: ['prompt_id,property:Feature'] } },
  { name: 'topSeries', in: 'query', description: 'series per dimension looked at for change points (top by cost; default 8)', schema: { type: 'integer', minimum: 1, maximum: 50 } },
];
const EXPLAIN_ERRORS = { '400': ref('responses', 'BadRequest'), '401': ref('responses', 'Unauthorized'), '403': ref('responses', 'Forbidden'), '500': ref('responses', 'InternalError'), '503': ref('responses', 'Unavailable') };
const EXPLAIN_ANSWER = {
  description: 'totals, Δcost by driver per dimension (the parts add up to Δcost), findings ranked by dollars with a sentence and a link to the requests, new and vanished groups',
  content: { 'application/json': { schema: { type: 'object' as const, required: ['period', 'baseline', 'totals', 'method', 'dimensions', 'findings', 'newThings', 'vanished'] } } },
};
const explainOperation = (operationId: string, summary: string, extra: Partial<Operation>): Operation => ({
  operationId, tags: ['analytics'], summary, description: 'Default: the last 7 days against the 7 days before.', responses: { '200': EXPLAIN_ANSWER, ...EXPLAIN_ERRORS }, ...extra,
});

/** The OpenAPI path of these routes, listed in openapi.ts. */
export const EXPLAIN_OPENAPI_PATHS = {
  '/explain': {
    get: explainOperation('explainCost', 'Why cost changed between a baseline and a period', { parameters: EXPLAIN_PARAMETERS }),
    post: explainOperation('explainCostQuery', 'Why cost changed (parameters as a JSON body; `by` may be an array)', {
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object' } } } },
    }),
  },
};
