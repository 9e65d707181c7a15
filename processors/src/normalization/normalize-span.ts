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
import { normalizeProviderName } from './provider-names.js';
import { classifySpan } from './span-classification.js';
import { extractTracking } from './tracking-extraction.js';
import { extractUsage, hasUsage } from './usage-extraction.js';

/** `llm.provider` (who hosts) before `llm.system` (whose model): Claude on Bedrock is priced as Bedrock. */
const PROVIDER_KEYS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, ATTR_LLM_PROVIDER, ATTR_LLM_SYSTEM, ATTR_AI_MODEL_PROVIDER];
const REQUEST_MODEL_KEYS = [ATTR_GEN_AI_REQUEST_MODEL, ATTR_AI_MODEL_ID, ATTR_LLM_MODEL_NAME, ATTR_EMBEDDING_MODEL_NAME];
const RESPONSE_MODEL_KEYS = [ATTR_GEN_AI_RESPONSE_MODEL, ATTR_AI_RESPONSE_MODEL];
/** The stable HTTP name, then its name before HTTP semconv v1.21. */
const RESEND_COUNT_KEYS = [ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_HTTP_RESEND_COUNT];
/** The conventions' `error.type` fallback when the span failed without naming why. */
const OTHER_ERROR = '_OTHER';

export function normalizeSpan(span: SpanRecord): GenAiFields {
  const attributes = span.attributes;
  const usage = extractUsage(attributes);
  const requestModel = firstString(attributes, REQUEST_MODEL_KEYS);
  const responseModel = firstString(attributes, RESPONSE_MODEL_KEYS);
  const { operation, isModelCall } = classifySpan(span.name, attributes, (requestModel ?? responseModel) !== undefined && hasUsage(usage));
  const tracking = extractTracking(attributes);

  const fields: GenAiFields = { ...usage, ...tracking, isModelCall };
  const provider = firstString(attributes, PROVIDER_KEYS);
  if (provider !== undefined) fields.provider = normalizeProviderName(provider);
  if (operation !== undefined) fields.operation = operation;
  if (requestModel !== undefined) fields.requestModel = requestModel;
  if (responseModel !== undefined) fields.responseModel = responseModel;

  const ttfc = numberValue(attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]);
  const msToFirstChunk = numberValue(attributes[ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK]);
  if (ttfc !== undefined) fields.timeToFirstChunk = ttfc;
  else if (msToFirstChunk !== undefined) fields.timeToFirstChunk = msToFirstChunk / 1000;

  const resendCount = firstNumber(attributes, RESEND_COUNT_KEYS);
  if (resendCount !== undefined && Number.isInteger(resendCount) && resendCount > 0) fields.resendCount = resendCount;

  const errorType = stringValue(attributes[ATTR_ERROR_TYPE]);
  if (errorType !== undefined) fields.errorType = errorType;
  else if (span.statusCode === 2 && (isModelCall || operation !== undefined)) fields.errorType = OTHER_ERROR;
  return fields;
}
