/** The enrichment added to spans forwarded to another backend: their cost, as attributes. */
import type { Attributes, SpanRecord } from '@tokentrace/processors';
import {
  ATTR_TOKENTRACE_COST_CACHE_READ_USD,
  ATTR_TOKENTRACE_COST_CACHE_WRITE_USD,
  ATTR_TOKENTRACE_COST_INPUT_USD,
  ATTR_TOKENTRACE_COST_OUTPUT_USD,
  ATTR_TOKENTRACE_COST_PRICED_MODEL,
  ATTR_TOKENTRACE_COST_SAVED_USD,
  ATTR_TOKENTRACE_COST_STATUS,
  ATTR_TOKENTRACE_COST_TOTAL_USD,
} from '@tokentrace/semconv';

export function costAttributes(span: SpanRecord): Attributes {
  const cost = span.cost;
  if (!cost || cost.status === 'not_a_model_call') return {};
  const attrs: Attributes = { [ATTR_TOKENTRACE_COST_STATUS]: cost.status };
  const put = (key: string, value: number | string | undefined) => {
    if (value !== undefined) attrs[key] = value;
  };
  put(ATTR_TOKENTRACE_COST_INPUT_USD, cost.inputUsd);
  put(ATTR_TOKENTRACE_COST_OUTPUT_USD, cost.outputUsd);
  put(ATTR_TOKENTRACE_COST_CACHE_READ_USD, cost.cacheReadUsd);
  put(ATTR_TOKENTRACE_COST_CACHE_WRITE_USD, cost.cacheWriteUsd);
  put(ATTR_TOKENTRACE_COST_TOTAL_USD, cost.totalUsd);
  put(ATTR_TOKENTRACE_COST_SAVED_USD, cost.savedUsd);
  put(ATTR_TOKENTRACE_COST_PRICED_MODEL, cost.pricedModel);
  return attrs;
}
