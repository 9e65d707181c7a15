/**
 * Decides a span's GenAI operation and whether it calls a model, whatever instrumentation wrote
 * it. Only model calls are priced, so wrapper spans must never count: agent, workflow, task, tool
 * and chain spans, and the Vercel AI SDK's outer `ai.generateText` span, which carries the same
 * usage as the `ai.generateText.doGenerate` span inside it
 * (https://ai-sdk.dev/docs/ai-sdk-core/telemetry#collected-data).
 */
import {
  AI_SDK_MODEL_CALL_SUFFIXES,
  AI_SDK_OPERATION_PREFIX,
  AI_SDK_TOOL_CALL_OPERATION,
  ATTR_AI_OPERATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_OPENINFERENCE_SPAN_KIND,
  ATTR_TRACELOOP_SPAN_KIND,
  GEN_AI_OPERATION,
  LLM_REQUEST_TYPE,
  MODEL_CALL_OPERATIONS,
  OPENINFERENCE_SPAN_KIND,
  TRACELOOP_SPAN_KIND,
} from '@tokentrace/semconv';
import { stringValue } from './attribute-readers.js';
import { slotOf, type AttributeTable } from './attribute-table.js';

export interface SpanClass {
  operation?: string;
  isModelCall: boolean;
}

const OPENINFERENCE_OPERATIONS: ReadonlyMap<string, string | undefined> = new Map([
  [OPENINFERENCE_SPAN_KIND.llm, GEN_AI_OPERATION.chat],
  [OPENINFERENCE_SPAN_KIND.embedding, GEN_AI_OPERATION.embeddings],
  [OPENINFERENCE_SPAN_KIND.agent, GEN_AI_OPERATION.invokeAgent],
  [OPENINFERENCE_SPAN_KIND.tool, GEN_AI_OPERATION.executeTool],
  [OPENINFERENCE_SPAN_KIND.retriever, GEN_AI_OPERATION.retrieval],
]);

const TRACELOOP_OPERATIONS: ReadonlyMap<string, string | undefined> = new Map([
  [TRACELOOP_SPAN_KIND.workflow, GEN_AI_OPERATION.invokeWorkflow],
  [TRACELOOP_SPAN_KIND.agent, GEN_AI_OPERATION.invokeAgent],
  [TRACELOOP_SPAN_KIND.tool, GEN_AI_OPERATION.executeTool],
]);

const LLM_REQUEST_TYPE_OPERATIONS: ReadonlyMap<string, string> = new Map([
  [LLM_REQUEST_TYPE.chat, GEN_AI_OPERATION.chat],
  [LLM_REQUEST_TYPE.completion, GEN_AI_OPERATION.textCompletion],
  [LLM_REQUEST_TYPE.embedding, GEN_AI_OPERATION.embeddings],
]);

const NOT_A_MODEL_CALL: SpanClass = { isModelCall: false };

const AI_OPERATION_ID_SLOT = slotOf(ATTR_AI_OPERATION_ID);
const GEN_AI_OPERATION_NAME_SLOT = slotOf(ATTR_GEN_AI_OPERATION_NAME);
const OPENINFERENCE_SPAN_KIND_SLOT = slotOf(ATTR_OPENINFERENCE_SPAN_KIND);
const TRACELOOP_SPAN_KIND_SLOT = slotOf(ATTR_TRACELOOP_SPAN_KIND);
const LLM_REQUEST_TYPE_SLOT = slotOf(ATTR_LLM_REQUEST_TYPE);

/**
 * Most specific evidence first: the AI SDK's operation id (its outer spans may carry usage but
 * never call a model), then the conventions' operation name, then each instrumentation's kind,
 * then an AI SDK span name. `hasModelAndUsage` decides only for spans that say nothing else
 * (GenAI spans older than `gen_ai.operation.name`).
 */
export function classifySpan(name: string, table: AttributeTable, hasModelAndUsage: boolean): SpanClass {
  const aiOperation = stringValue(table.value(AI_OPERATION_ID_SLOT));
  if (aiOperation !== undefined) {
    const sdk = classifyAiSdkOperation(aiOperation);
    if (sdk) return sdk;
  }

  const operation = stringValue(table.value(GEN_AI_OPERATION_NAME_SLOT));
  if (operation !== undefined) return { operation, isModelCall: MODEL_CALL_OPERATIONS.has(operation) };

  const openInferenceKind = stringValue(table.value(OPENINFERENCE_SPAN_KIND_SLOT));
  if (openInferenceKind !== undefined) {
    const mapped = OPENINFERENCE_OPERATIONS.get(openInferenceKind.toUpperCase());
    return { operation: mapped, isModelCall: mapped !== undefined && MODEL_CALL_OPERATIONS.has(mapped) };
  }

  // OpenLLMetry marks its decorator spans (workflow, task, agent, tool); LLM spans carry llm.request.type.
  const traceloopKind = stringValue(table.value(TRACELOOP_SPAN_KIND_SLOT));
  if (traceloopKind !== undefined) return { operation: TRACELOOP_OPERATIONS.get(traceloopKind), isModelCall: false };

  const requestType = stringValue(table.value(LLM_REQUEST_TYPE_SLOT));
  if (requestType !== undefined) {
    const mapped = LLM_REQUEST_TYPE_OPERATIONS.get(requestType);
    return mapped ? { operation: mapped, isModelCall: true } : NOT_A_MODEL_CALL;
  }

  // AI SDK spans exported without attributes (span limits) still have the operation id as name.
  const sdkByName = classifyAiSdkOperation(name);
  if (sdkByName) return sdkByName;

  return hasModelAndUsage ? { isModelCall: true } : NOT_A_MODEL_CALL;
}

/** `ai.generateText.doGenerate` calls the model; `ai.generateText` wraps it; `ai.toolCall` runs a tool. */
function classifyAiSdkOperation(operationId: string): SpanClass | undefined {
  if (!operationId.startsWith(AI_SDK_OPERATION_PREFIX)) return undefined;
  if (operationId.endsWith(AI_SDK_MODEL_CALL_SUFFIXES.doEmbed)) return { operation: GEN_AI_OPERATION.embeddings, isModelCall: true };
  if (operationId.endsWith(AI_SDK_MODEL_CALL_SUFFIXES.doGenerate) || operationId.endsWith(AI_SDK_MODEL_CALL_SUFFIXES.doStream)) {
    return { operation: GEN_AI_OPERATION.chat, isModelCall: true };
  }
  if (operationId === AI_SDK_TOOL_CALL_OPERATION) return { operation: GEN_AI_OPERATION.executeTool, isModelCall: false };
  return NOT_A_MODEL_CALL;
}
