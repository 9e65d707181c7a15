/**
 * The fields a filter can name, each with its value type and the SQL expression it reads over the
 * columns of `spans` (processors/src/storage/span-table.ts). This catalog is the only source of
 * column SQL in a compiled filter: a field name from the user is looked up here, never written
 * into SQL. The query engine may reuse `sql` for grouping (e.g. `model`) and `propertySql`.
 *
 * Missing values: string columns hold '' when unset, so `user = ""` finds spans without a user.
 * Token, cost and TTFT columns are Nullable (unknown is NULL, never 0): every comparison on NULL
 * is false, so a span without a cost matches neither `cost > 0.01` nor `cost < 0.01` nor
 * `cost != 1` (but `not (cost > 0.01)` does: `not` negates the condition's true/false).
 */
import { closest } from './did-you-mean.js';
import { quoted } from './filter-messages.js';

export type FilterFieldType = 'string' | 'number' | 'status' | 'time' | 'boolean';

export interface FilterField {
  type: FilterFieldType;
  /** SQL over the columns of `spans`; for `time` it is epoch milliseconds (Int64). Empty for a property (bound per query). */
  sql: string;
  /** The SQL value may be NULL (comparisons on it must read as false). */
  nullable?: boolean;
  description: string;
  /** Other names people type; they resolve to the canonical name. */
  aliases?: readonly string[];
}

/** The values of the `status_code` Enum8 (OTLP Status.StatusCode), compared by name. */
export const STATUS_VALUES = ['unset', 'ok', 'error'] as const;

export const FILTER_FIELDS = {
  model: { type: 'string', sql: 'model', description: 'Response model when known, else the requested model' },
  request_model: { type: 'string', sql: 'request_model', description: 'Model asked for' },
  response_model: { type: 'string', sql: 'response_model', description: 'Model that answered' },
  provider: { type: 'string', sql: 'provider', description: 'Provider (openai, anthropic, ...)' },
  operation: { type: 'string', sql: 'operation', description: 'GenAI operation (chat, embeddings, ...)' },
  user: { type: 'string', sql: 'user_id', description: 'User id', aliases: ['user_id'] },
  session: { type: 'string', sql: 'session_id', description: 'Session id', aliases: ['session_id'] },
  session_name: { type: 'string', sql: 'session_name', description: 'Session name' },
  session_path: { type: 'string', sql: 'session_path', description: 'Session path (/research/search-2)' },
  prompt_id: { type: 'string', sql: 'prompt_id', description: 'Prompt id', aliases: ['prompt'] },
  service: { type: 'string', sql: 'service_name', description: 'service.name of the resource', aliases: ['service_name'] },
  environment: { type: 'string', sql: 'environment', description: 'Deployment environment', aliases: ['env'] },
  status: { type: 'status', sql: 'status_code', description: "Span status: 'ok', 'error' or 'unset'", aliases: ['status_code'] },
  error_type: { type: 'string', sql: 'error_type', description: 'Error type of a failed call' },
  resend_count: {
    type: 'number',
    sql: 'resend_count',
    description: 'Which retry of its request the call is (http.request.resend_count): 0 for a first attempt',
    aliases: ['retries', 'retry'],
  },
  trace_id: { type: 'string', sql: 'trace_id', description: 'Trace id (hex)', aliases: ['trace'] },
  span_id: { type: 'string', sql: 'span_id', description: 'Span id (hex)' },
  parent_span_id: { type: 'string', sql: 'parent_span_id', description: "Parent span id ('' for a root)" },
  name: { type: 'string', sql: 'name', description: 'Span name', aliases: ['span_name'] },
  model_call: { type: 'boolean', sql: 'is_model_call', description: 'The span is a model call', aliases: ['is_model_call'] },
  cost: { type: 'number', sql: 'cost_total_usd', nullable: true, description: 'Total cost in USD', aliases: ['cost_usd', 'cost_total_usd'] },
  input_tokens: { type: 'number', sql: 'input_tokens', nullable: true, description: 'Input tokens' },
  output_tokens: { type: 'number', sql: 'output_tokens', nullable: true, description: 'Output tokens' },
  cache_read_tokens: { type: 'number', sql: 'cache_read_tokens', nullable: true, description: 'Input tokens read from cache' },
  cache_creation_tokens: { type: 'number', sql: 'cache_creation_tokens', nullable: true, description: 'Input tokens written to cache', aliases: ['cache_write_tokens'] },
  reasoning_tokens: { type: 'number', sql: 'reasoning_tokens', nullable: true, description: 'Reasoning output tokens' },
  // NULL only when both are unknown: an embeddings call (no output tokens) still has a total.
  total_tokens: {
    type: 'number',
    sql: 'if(isNull(input_tokens) AND isNull(output_tokens), NULL, ifNull(input_tokens, 0) + ifNull(output_tokens, 0))',
    nullable: true,
    description: 'Input + output tokens',
    aliases: ['tokens'],
  },
  duration_ms: { type: 'number', sql: 'duration_ns / 1000000', description: 'Duration in milliseconds', aliases: ['duration', 'latency_ms', 'latency'] },
  ttft_ms: { type: 'number', sql: 'ttft_seconds * 1000', nullable: true, description: 'Time to first token in milliseconds', aliases: ['ttft'] },
  // Millisecond precision: the precision of the ISO values compared with it.
  time: { type: 'time', sql: 'toUnixTimestamp64Milli(start_time)', description: 'Start time; values are ISO-8601 (UTC when no offset)', aliases: ['start_time'] },
} as const satisfies Record<string, FilterField>;

export type FilterFieldName = keyof typeof FILTER_FIELDS;

/** `property.<Name>`: a custom property, read as a string ('' when the span does not have it). */
export const PROPERTY_PREFIX = 'property.';
/** Property names longer than this cannot have been stored usefully; refusing them bounds the SQL. */
export const MAX_PROPERTY_NAME_LENGTH = 256;

const BY_NAME = new Map<string, FilterFieldName>();
for (const [name, field] of Object.entries(FILTER_FIELDS) as Array<[FilterFieldName, FilterField]>) {
  BY_NAME.set(name, name);
  for (const alias of field.aliases ?? []) BY_NAME.set(alias, name);
}

export type ResolvedField = { kind: 'column'; name: FilterFieldName; field: FilterField } | { kind: 'property'; name: string; property: string; field: FilterField };

/** Why a filter part is refused; `hint` suggests a fix. Parser and validator add where. */
export interface FilterProblem {
  problem: string;
  hint?: string;
}

/**
 * A field name as typed (any case, an alias, `property.X`) → its canonical name and definition,
 * or a message saying why not (with a suggestion when a known name is close).
 */
export function resolveField(typed: string): ResolvedField | FilterProblem {
  if (typed.toLowerCase().startsWith(PROPERTY_PREFIX)) return resolveProperty(typed.slice(PROPERTY_PREFIX.length));
  const name = BY_NAME.get(typed.toLowerCase());
  if (name !== undefined) return { kind: 'column', name, field: FILTER_FIELDS[name] };
  const guess = closest(typed.toLowerCase(), [...BY_NAME.keys(), 'property']);
  const problem = `unknown field ${quoted(typed)}`;
  if (guess === undefined) return { problem };
  return { problem, hint: `did you mean "${guess === 'property' ? 'property.<Name>' : BY_NAME.get(guess)}"?` };
}

export function resolveProperty(property: string): ResolvedField | FilterProblem {
  if (property === '') return { problem: `expected a property name after "${PROPERTY_PREFIX}"` };
  if (property.length > MAX_PROPERTY_NAME_LENGTH) return { problem: `property name longer than ${MAX_PROPERTY_NAME_LENGTH} characters` };
  if (!isWellFormed(property)) return { problem: 'property name is not valid Unicode (lone surrogate)' };
  return { kind: 'property', name: `${PROPERTY_PREFIX}${property}`, property, field: { type: 'string', sql: '', description: `Custom property ${property}` } };
}

/**
 * `propertySql(params, name)`: the value of custom property `name`, '' when absent. Names are
 * case-insensitive: our instrumentation sends them lower-cased, foreign ones (OpenLLMetry
 * association properties, AI SDK metadata) keep the case they were sent with
 * (processors/src/normalization/tracking-extraction.ts); the store lower-cases keys on write.
 */
export { propertySql } from '@tokentrace/processors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** False for strings with lone surrogates: they cannot be sent as UTF-8 unchanged. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
