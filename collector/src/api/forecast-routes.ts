/**
 * GET /api/v1/forecast (issue 13 §3): the month-end forecast of the caller's project, mounted by
 * the collector beside the query API. `by` groups (`model`, `prompt_id`, `user`, …,
 * `property.Feature` or `property:Feature`), `billingDay` and `budget` override the collector's
 * `forecast.*` config, `filter` narrows to matching model calls, `limit` caps the groups.
 *
 * Authentication is the query API's (ingest's keys name the project); only this route is
 * guarded, so the router passes every other /api/v1 request on untouched (the public
 * openapi.json included).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { forecastMonth, type ForecastOptions, type ForecastStore } from '../insights/forecast/forecast-month.js';
import { DEFAULT_FORECAST_CONFIG, type ForecastConfig } from '../insights/forecast/forecast-config.js';
import { DEFAULT_PROJECT_ID, projectFor, type Authenticate, type RequestHeaders } from '../receivers/api-key-auth.js';
import { invalidQuery, sendError } from './query-api-error.js';
import { checkKnown, parseFilterParam, parseGroupBy, parseLimit, single, type ParamValues } from './query-params.js';

export interface ForecastRouterOptions {
  store: ForecastStore;
  /** The receivers' authenticator; absent: every caller is project `default`. */
  authenticate?: Authenticate;
  /** The collector's `forecast.*` config: default billing day and budget. */
  defaults?: ForecastConfig;
  log?: (message: string) => void;
  /** The current time (tests); default the clock. */
  now?: () => Date;
}

export const FORECAST_PARAMETERS = ['by', 'billingDay', 'budget', 'filter', 'limit'] as const;

export function createForecastRouter(options: ForecastRouterOptions): Router {
  const authenticate = options.authenticate ?? (() => DEFAULT_PROJECT_ID);
  const log = options.log ?? ((m: string) => console.error(`[tokentrace-collector] ${m}`));
  const defaults = options.defaults ?? DEFAULT_FORECAST_CONFIG;
  const router = express.Router();
  router.get('/forecast', async (req: Request, res: Response, _next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const projectId = projectFor(authenticate, req.headers as RequestHeaders);
      const forecastOptions = parseForecastParams(req.query as ParamValues, defaults);
      res.json(await forecastMonth(options.store, projectId, { ...forecastOptions, now: options.now?.() }));
    } catch (err) {
      sendError(res, err, log);
    }
  });
  return router;
}

/** The query string as ForecastOptions; every refusal is a 400 naming the parameter. */
export function parseForecastParams(q: ParamValues, defaults: ForecastConfig): ForecastOptions {
  checkKnown(q, FORECAST_PARAMETERS);
  const billingDay = integerParam(q, 'billingDay') ?? defaults.billingDay;
  const budget = single(q, 'budget');
  const budgetUsd = budget === undefined || budget === '' ? (defaults.budgetUsd > 0 ? defaults.budgetUsd : undefined) : Number(budget.replace(/^\$/, '').replaceAll(',', ''));
  if (budgetUsd !== undefined && !(Number.isFinite(budgetUsd) && budgetUsd > 0)) throw invalidQuery('budget', `expected a positive amount of USD like 4000, got ${JSON.stringify(budget)}`);
  const by = single(q, 'by');
  let groupBy: ForecastOptions['by'];
  try {
    groupBy = parseGroupBy({ groupBy: by?.replace(/^property\./, 'property:') });
  } catch (err) {
    throw invalidQuery('by', `expected model, provider, user, session_name, prompt_id, service, environment or property.<Name>, got ${JSON.stringify(by)}`);
  }
  return { billingDay, budgetUsd, by: groupBy, filter: parseFilterParam(q, false), limit: parseLimit(q, undefined, 50) };
}

function integerParam(q: ParamValues, name: string): number | undefined {
  const value = single(q, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 28) throw invalidQuery(name, `expected a day of the month from 1 to 28, got ${JSON.stringify(value)}`);
  return Number(value);
}
