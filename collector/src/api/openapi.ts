/**
 * The OpenAPI 3.1 description of the query API (issue 4: "An OpenAPI description"), served at
 * GET /api/v1/openapi.json. Paths and parameters here; body schemas in openapi-schemas.ts. The
 * test asserts that the paths listed equal the routes query-router.ts serves.
 */
import { EXPLAIN_OPENAPI_PATHS } from './explain-routes.js';
import { forecastPaths, forecastSchemas } from './forecast-openapi.js';
import { schemas } from './openapi-schemas.js';
import { alertPaths, alertSchemas } from './alert-openapi.js';
import type { OpenApiDocument, Operation, Parameter, Reference } from './openapi-types.js';

const p = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const r = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });
const json = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });
const ok = (schema: string, description: string) => ({ description, content: json(schema) });

const TIME = [p('since'), p('from'), p('to')];
const ERRORS = { '400': r('BadRequest'), '401': r('Unauthorized'), '403': r('Forbidden'), '500': r('InternalError'), '503': r('Unavailable') };
const LOOKUP_ERRORS = { ...ERRORS, '404': r('NotFound') };

const limit = (fallback: number, what: string): Parameter => ({
  name: 'limit', in: 'query', description: `${what} (default ${fallback})`, schema: { type: 'integer', minimum: 1, maximum: 500 },
});

function op(operationId: string, tag: string, summary: string, rest: Partial<Operation>): Operation {
  return { operationId, tags: [tag], summary, responses: {}, ...rest };
}

const analyticsDescription = 'Cost, requests, errors, tokens and latency percentiles (approximate, within ±2.5 %) of the model calls, optionally split into time buckets and grouped (the groups past `limit` are summed into `(other)`). Default range: the last 7 days.';

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'tokentrace query API',
    version: '1',
    description: 'Read the spans the tokentrace collector stored: trace and session trees, model-call requests, cost analytics. JSON in and out. Authenticated like OTLP ingest: the API key names the project, and every answer covers that project only (with no keys configured, every caller is project `default`).',
  },
  servers: [{ url: '/api/v1', description: 'on the collector, same port as OTLP/HTTP (4318 by default)' }],
  security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
  tags: [
    { name: 'trees', description: 'span trees of a trace or a session' },
    { name: 'requests', description: 'model calls, listed and in full' },
    { name: 'analytics', description: 'cost and usage over time' },
    { name: 'alerts', description: 'alert rules and their history (alert-routes.ts)' },
    { name: 'meta', description: 'this description' },
  ],
  paths: {
    ...alertPaths,
    '/traces/{traceId}': {
      get: op('getTraceTree', 'trees', 'The span tree of a trace, with totals per node', { parameters: [p('traceId')], responses: { '200': ok('SpanTree', 'the tree'), ...LOOKUP_ERRORS } }),
    },
    '/sessions/{sessionId}': {
      get: op('getSessionTree', 'trees', 'The tree of a session: one tree of its spans, session paths and traces (a path under its spans\' parent span), with totals', { parameters: [p('sessionId')], responses: { '200': ok('SpanTree', 'the tree'), ...LOOKUP_ERRORS } }),
    },
    '/sessions': {
      get: op('listSessionStats', 'analytics', 'Cost per session, by session name: average, p50, p95, max and the outliers above p95', {
        description: 'Default range: the last 7 days.',
        parameters: [...TIME, p('filter')],
        responses: { '200': ok('SessionNameStatsList', 'one entry per session name'), ...ERRORS },
      }),
    },
    '/requests': {
      get: op('listRequests', 'requests', 'Model calls, newest first, filtered, one page at a time', {
        description: 'Default range: the last 24 hours. Pass `nextCursor` back as `cursor` for the next page.',
        parameters: [...TIME, p('filter'), limit(50, 'requests per page'), p('cursor')],
        responses: { '200': ok('RequestPage', 'a page'), ...ERRORS },
      }),
    },
    '/requests/query': {
      post: op('queryRequests', 'requests', 'Model calls, with the filter in its JSON form (or text)', {
        requestBody: { required: false, content: json('RequestQuery') },
        responses: { '200': ok('RequestPage', 'a page'), ...ERRORS },
      }),
    },
    '/requests/{traceId}/{spanId}': {
      get: op('getRequest', 'requests', 'One model call in full: attributes, resource, events, captured content', {
        parameters: [p('traceId'), p('spanId')],
        responses: { '200': ok('RequestDetail', 'the request'), ...LOOKUP_ERRORS },
      }),
    },
    '/analytics': {
      get: op('getAnalytics', 'analytics', 'Usage figures, bucketed and grouped', {
        description: analyticsDescription,
        parameters: [...TIME, p('bucket'), p('groupBy'), p('filter'), limit(20, 'groups kept, by cost')],
        responses: { '200': ok('AnalyticsResult', 'rows and totals'), ...ERRORS },
      }),
    },
    '/analytics/query': {
      post: op('queryAnalytics', 'analytics', 'Usage figures, with the filter in its JSON form (or text)', {
        description: analyticsDescription,
        requestBody: { required: false, content: json('AnalyticsQuery') },
        responses: { '200': ok('AnalyticsResult', 'rows and totals'), ...ERRORS },
      }),
    },
    '/users/top': {
      get: op('getTopUsers', 'analytics', 'The users who cost the most', {
        description: 'Default range: the last 7 days.',
        parameters: [...TIME, limit(10, 'users'), p('filter')],
        responses: { '200': ok('TopUsers', 'costliest first'), ...ERRORS },
      }),
    },
    ...EXPLAIN_OPENAPI_PATHS,
    '/rate-limits': {
      get: op('getRateLimitHits', 'analytics', 'Who hit rate limits and budgets, how often', {
        description: 'Decisions of the in-process limits (issue 14) recorded on model calls; owners with at least one call limited, warned or failed open, most limited first. Default range: the last 7 days.',
        parameters: [...TIME, limit(20, 'counters')],
        responses: { '200': ok('RateLimitHits', 'most limited first'), ...ERRORS },
      }),
    },
    '/openapi.json': {
      get: op('getOpenApi', 'meta', 'This description (no credentials needed)', {
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
      }),
    },
    ...forecastPaths,
  },
  components: {
    schemas: { ...schemas, ...forecastSchemas, ...alertSchemas },
    parameters: {
      since: { name: 'since', in: 'query', description: 'range back from now: <n>m, <n>h or <n>d (default 24h for requests, 7d otherwise); excludes from/to', schema: { type: 'string', pattern: '^[0-9]+[mhd]$', examples: ['7d'] } },
      from: { name: 'from', in: 'query', description: 'ISO-8601 start, inclusive (a time without zone is UTC)', schema: { type: 'string', examples: ['2026-01-31T00:00:00Z'] } },
      to: { name: 'to', in: 'query', description: 'ISO-8601 end, exclusive (default now)', schema: { type: 'string' } },
      filter: { name: 'filter', in: 'query', description: 'the filter language, e.g. model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 (or the JSON form, as text starting with {)', schema: { type: 'string' } },
      cursor: { name: 'cursor', in: 'query', description: 'nextCursor of the previous page (opaque)', schema: { type: 'string' } },
      bucket: { name: 'bucket', in: 'query', description: 'split into time buckets', schema: { type: 'string', enum: ['hour', 'day'] } },
      groupBy: { name: 'groupBy', in: 'query', description: 'model, provider, user, session_name, prompt_id, service, environment, or property:<Name>', schema: { type: 'string', pattern: '^(model|provider|user|session_name|prompt_id|service|environment|property:.+)$' } },
      traceId: { name: 'traceId', in: 'path', required: true, description: '32 hex digits', schema: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
      spanId: { name: 'spanId', in: 'path', required: true, description: '16 hex digits', schema: { type: 'string', pattern: '^[0-9a-fA-F]{16}$' } },
      sessionId: { name: 'sessionId', in: 'path', required: true, description: 'the session id (URL-encoded)', schema: { type: 'string', minLength: 1 } },
    },
    responses: {
      BadRequest: { description: 'a parameter or the filter is invalid; `path` names the parameter, `position` the offset in the filter text', content: json('Error') },
      Unauthorized: { description: 'no or unknown API key', content: json('Error'), headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } } },
      Forbidden: { description: 'the key may not read', content: json('Error') },
      NotFound: { description: 'not in the caller\'s project', content: json('Error') },
      InternalError: { description: 'the query failed (details are logged by the collector, never returned)', content: json('Error') },
      Unavailable: { description: 'the span store is unreachable; retry later', content: json('Error') },
    },
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'x-api-key: <API key>' },
    },
  },
};
