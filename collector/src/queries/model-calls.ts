/**
 * The WHERE of every read of model calls over a time range (analytics, session statistics,
 * request lists): the project first, then `is_model_call = 1` (the second key column, so only
 * model-call granules are read), the range (days and the key's hours), and the filter.
 */
import { startRangeCondition, type QueryParams } from '@tokentrace/processors';
import { compileFilter } from './filter/index.js';
import type { FilterExpression } from './filter/filter-expression.js';
import { projectCondition, type RangeMs } from './query-sql.js';

export function modelCallsWhere(params: QueryParams, projectId: string, range: RangeMs | undefined, filter: FilterExpression | undefined): string {
  const conditions = [projectCondition(params, projectId), 'is_model_call = 1'];
  if (range !== undefined) conditions.push(startRangeCondition(params, range.fromMs, range.toMs));
  if (filter !== undefined) conditions.push(`(${compileFilter(filter, params)})`);
  return conditions.join(' AND ');
}
