/** Public API of @tokentrace/instrumentation. */
export { TokentraceInstrumentation } from './instrumentation.js';
export { startTokentrace, type TokentraceHandle } from './sdk/start-sdk.js';
export { withContext, getTrackingContext } from './context/tracking-context.js';
export { withWorkflow, withAgent, withTool, type WorkflowInfo, type AgentInfo, type ToolInfo } from './agent/agent-spans.js';
export { redactUrl, redactSpanUrlAttributes } from './telemetry/url-redaction.js';
export { ConfigError } from './config.js';
export type {
  TokentraceInstrumentationConfig,
  CustomEndpoint,
  EndpointFormat,
  ContentKind,
  RedactContentHook,
  TrackingContext,
  CacheOptions,
  CacheConfig,
  RetryOptions,
  RetryConfig,
} from './types.js';
