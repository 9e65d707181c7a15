/**
 * A small API to show an agent run as a tree: `withWorkflow`, `withAgent` and `withTool` open the
 * conventions' `invoke_workflow`, `invoke_agent` and `execute_tool` spans around a function; the
 * LLM calls made inside become their children. Each runs in its own context, so parallel
 * branches (Promise.all over agents or tools) keep their own parents.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_AGENT_VERSION,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_WORKFLOW_NAME,
  GEN_AI_OPERATION,
  GEN_AI_TOOL_TYPE,
} from '@tokentrace/semconv';
import { getTrackingContext } from '../context/tracking-context.js';
import { trackingAttributes } from '../telemetry/genai-span-attributes.js';
import { guard } from '../telemetry/guard.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from '../version.js';
import { contentCaptureEnabled } from './content-setting.js';

export interface WorkflowInfo {
  name: string;
  attributes?: Attributes;
}

export interface AgentInfo {
  name: string;
  id?: string;
  description?: string;
  version?: string;
  /** Model and provider the agent runs on, when there is one. */
  model?: string;
  provider?: string;
  attributes?: Attributes;
}

export interface ToolInfo {
  name: string;
  callId?: string;
  type?: 'function' | 'extension' | 'datastore';
  description?: string;
  /** Recorded as gen_ai.tool.call.arguments only when message content capture is on. */
  arguments?: unknown;
  attributes?: Attributes;
}

/** Runs `fn` inside an `invoke_workflow {name}` span. */
export function withWorkflow<T>(workflow: string | WorkflowInfo, fn: (span: Span) => T): T {
  const info = typeof workflow === 'string' ? { name: workflow } : workflow;
  return runInSpan(`${GEN_AI_OPERATION.invokeWorkflow} ${info.name}`, {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.invokeWorkflow,
    [ATTR_GEN_AI_WORKFLOW_NAME]: info.name,
    ...info.attributes,
  }, fn);
}

/** Runs `fn` inside an `invoke_agent {name}` span. */
export function withAgent<T>(agent: string | AgentInfo, fn: (span: Span) => T): T {
  const info = typeof agent === 'string' ? { name: agent } : agent;
  const attrs: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.invokeAgent, [ATTR_GEN_AI_AGENT_NAME]: info.name };
  if (info.id) attrs[ATTR_GEN_AI_AGENT_ID] = info.id;
  if (info.description) attrs[ATTR_GEN_AI_AGENT_DESCRIPTION] = info.description;
  if (info.version) attrs[ATTR_GEN_AI_AGENT_VERSION] = info.version;
  if (info.model) attrs[ATTR_GEN_AI_REQUEST_MODEL] = info.model;
  if (info.provider) attrs[ATTR_GEN_AI_PROVIDER_NAME] = info.provider;
  return runInSpan(`${GEN_AI_OPERATION.invokeAgent} ${info.name}`, { ...attrs, ...info.attributes }, fn);
}

/** Runs `fn` inside an `execute_tool {name}` span; its result is recorded when content capture is on. */
export function withTool<T>(tool: string | ToolInfo, fn: (span: Span) => T): T {
  const info = typeof tool === 'string' ? { name: tool } : tool;
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.executeTool,
    [ATTR_GEN_AI_TOOL_NAME]: info.name,
    [ATTR_GEN_AI_TOOL_TYPE]: info.type ?? GEN_AI_TOOL_TYPE.function,
  };
  if (info.callId) attrs[ATTR_GEN_AI_TOOL_CALL_ID] = info.callId;
  if (info.description) attrs[ATTR_GEN_AI_TOOL_DESCRIPTION] = info.description;
  const capture = contentCaptureEnabled();
  if (capture && info.arguments !== undefined) attrs[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = toJson(info.arguments);
  return runInSpan(`${GEN_AI_OPERATION.executeTool} ${info.name}`, { ...attrs, ...info.attributes }, fn, (span, result) => {
    if (capture && result !== undefined) span.setAttribute(ATTR_GEN_AI_TOOL_CALL_RESULT, toJson(result));
  });
}

function runInSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T, onResult?: (span: Span, result: unknown) => void): T {
  const tracer = trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  const parent = context.active();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: { ...trackingAttributes(getTrackingContext(parent)), ...attributes } }, parent);
  const succeed = (result: unknown) => {
    if (onResult) guard('tool result', () => onResult(span, result), span);
    span.end();
  };
  const fail = (err: unknown) => {
    span.setAttribute(ATTR_ERROR_TYPE, err instanceof Error ? err.name : 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    if (err instanceof Error) span.recordException(err);
    span.end();
  };
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    fail(err);
    throw err;
  }
  if (result instanceof Promise) {
    // Hand back the same promise the app's function returned, only observed.
    result.then(succeed, fail);
    return result;
  }
  succeed(result);
  return result;
}

function toJson(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}
