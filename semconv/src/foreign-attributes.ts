/**
 * Attribute names of other GenAI instrumentations that tokentrace reads (never writes): to
 * recognise their spans, and later to normalize them into the same columns.
 */

/** OpenInference (Arize Phoenix): `LLM`, `EMBEDDING`, `CHAIN`, `AGENT`, `TOOL`, ... */
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const OPENINFERENCE_MODEL_CALL_KINDS: ReadonlySet<string> = new Set(['LLM', 'EMBEDDING']);

/** OpenLLMetry (Traceloop): `chat`, `completion`, `embedding`, ... */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';
