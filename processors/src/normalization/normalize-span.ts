/**
 * One span's GenAI facts in the conventions' sense (GenAiFields), whichever instrumentation wrote
 * it: ours (GenAI semantic conventions v1.41), older GenAI names, OpenLLMetry, OpenInference or
 * the Vercel AI SDK. Pure: reads the attributes, never changes them.
 */
import {
  ATTR_AI_MODEL_ID,
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_RESPONSE_MODEL,
  ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK,
  ATTR_EMBEDDING_MODEL_NAME,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESEND_COUNT,
  ATTR_LLM_MODEL_NAME,
  ATTR_LLM_PROVIDER,
  ATTR_LLM_SYSTEM,
} from '@tokentrace/semconv';
import type { GenAiFields, SpanRecord } from '../pipeline/span-record.js';
import { firstNumber, firstString, numberValue, stringValue } from './attribute-readers.js';
import { AttributeTable, slotOf, slotsOf } from './attribute-table.js';
import { normalizeProviderName } from './provider-names.js';
import { classifySpan } from './span-classification.js';
import { extractTracking } from './tracking-extraction.js';
import { extractUsage, hasUsage } from './usage-extraction.js';

/** `llm.provider` (who hosts) before `llm.system` (whose model): Claude on Bedrock is priced as Bedrock. */
const PROVIDER_KEYS = slotsOf([ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, ATTR_LLM_PROVIDER, ATTR_LLM_SYSTEM, ATTR_AI_MODEL_PROVIDER]);
const REQUEST_MODEL_KEYS = slotsOf([ATTR_GEN_AI_REQUEST_MODEL, ATTR_AI_MODEL_ID, ATTR_LLM_MODEL_NAME, ATTR_EMBEDDING_MODEL_NAME]);
const RESPONSE_MODEL_KEYS = slotsOf([ATTR_GEN_AI_RESPONSE_MODEL, ATTR_AI_RESPONSE_MODEL]);
/** The stable HTTP name, then its name before HTTP semconv v1.21. */
const RESEND_COUNT_KEYS = slotsOf([ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_HTTP_RESEND_COUNT]);
const TIME_TO_FIRST_CHUNK = slotOf(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
const MS_TO_FIRST_CHUNK = slotOf(ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK);
const ERROR_TYPE = slotOf(ATTR_ERROR_TYPE);
/** The conventions' `error.type` fallback when the span failed without naming why. */
const OTHER_ERROR = '_OTHER';

/** The span being normalized's known attributes (normalizeSpan runs to its end before another starts). */
const table = new AttributeTable();

/** Until `properties` is set, from the span's attributes: never returned. */
const NO_PROPERTIES: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function normalizeSpan(span: SpanRecord): GenAiFields {
  const attributes = span.attributes;
  table.load(attributes);
  try {
    // One object, written by each extraction in turn.
    const fields: GenAiFields = { properties: NO_PROPERTIES, isModelCall: false };
    extractUsage(table, fields);
    const requestModel = firstString(table, REQUEST_MODEL_KEYS);
    const responseModel = firstString(table, RESPONSE_MODEL_KEYS);
    const { operation, isModelCall } = classifySpan(span.name, table, (requestModel ?? responseModel) !== undefined && hasUsage(fields));
    fields.isModelCall = isModelCall;
    extractTracking(attributes, table, fields);

    const provider = firstString(table, PROVIDER_KEYS);
    if (provider !== undefined) fields.provider = normalizeProviderName(provider);
    if (operation !== undefined) fields.operation = operation;
    if (requestModel !== undefined) fields.requestModel = requestModel;
    if (responseModel !== undefined) fields.responseModel = responseModel;

    const ttfc = numberValue(table.value(TIME_TO_FIRST_CHUNK));
    const msToFirstChunk = numberValue(table.value(MS_TO_FIRST_CHUNK));
    if (ttfc !== undefined) fields.timeToFirstChunk = ttfc;
    else if (msToFirstChunk !== undefined) fields.timeToFirstChunk = msToFirstChunk / 1000;

    const resendCount = firstNumber(table, RESEND_COUNT_KEYS);
    if (resendCount !== undefined && Number.isInteger(resendCount) && resendCount > 0) fields.resendCount = resendCount;

    const errorType = stringValue(table.value(ERROR_TYPE));
    if (errorType !== undefined) fields.errorType = errorType;
    else if (span.statusCode === 2 && (isModelCall || operation !== undefined)) fields.errorType = OTHER_ERROR;
    return fields;
  } finally {
    table.forget();
  }
}
