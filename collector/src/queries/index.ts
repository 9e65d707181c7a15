/** The query layer (issue 4): the shapes it serves, the engine on ClickHouse, the filter language. */
export * from './query-model.js';
export { QueryService, type QueryServiceOptions } from './query-service.js';
export { QueryError } from './query-error.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './request-list.js';
export { DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT, OTHER_GROUP } from './analytics.js';
export * from './filter/index.js';
export { DEFAULT_RATE_LIMIT_HITS, type RateLimitHit, type RateLimitHitsQuery } from './rate-limit-hits.js';
