/** The query API's public surface: the router the collector mounts at /api/v1, and its OpenAPI description. */
export { createQueryRouter, DEFAULT_SINCE, type QueryRouterOptions } from './query-router.js';
export { openApiDocument } from './openapi.js';
export { QueryApiError, type ErrorBody, type QueryApiErrorCode } from './query-api-error.js';
export type { OpenApiDocument } from './openapi-types.js';
