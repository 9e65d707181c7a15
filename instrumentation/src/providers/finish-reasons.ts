/**
 * Maps each provider's own finish reasons onto the conventions' output-message `finish_reason`
 * (stop | length | content_filter | tool_call | error). `ResponseInfo.finishReasons` keeps the raw
 * values for gen_ai.response.finish_reasons; only `OutputMessage.finish_reason` is normalized.
 */
import { GEN_AI_FINISH_REASON } from '@tokentrace/semconv';
import type { WireFormat } from './types.js';

const { stop, length, contentFilter, toolCall, error } = GEN_AI_FINISH_REASON;

/**
 * OpenAI Chat Completions and legacy Completions (`choices[].finish_reason`), the values
 * OpenAI-compatible hosts add, and the reasons the Responses codec derives from `status` and
 * `incomplete_details.reason` (see openai-responses.ts).
 */
const OPENAI = new Map<string, string>([
  ['stop', stop],
  ['eos', stop], // TGI-based hosts
  ['length', length],
  ['model_length', length], // Mistral: context window reached
  ['max_output_tokens', length], // Responses: incomplete_details.reason
  ['tool_calls', toolCall],
  ['function_call', toolCall], // deprecated functions API
  ['tool_call', toolCall], // Responses: output has function calls
  ['content_filter', contentFilter],
  ['error', error],
  ['insufficient_system_resource', error], // DeepSeek
  ['abort', error], // vLLM
  ['failed', error], // Responses: status failed
  ['cancelled', error], // Responses: status cancelled
]);

/** Anthropic Messages `stop_reason` (docs: Handling stop reasons). */
const ANTHROPIC = new Map<string, string>([
  ['end_turn', stop],
  ['stop_sequence', stop],
  ['pause_turn', stop], // a long server-tool turn paused; the reply so far is complete
  ['max_tokens', length],
  ['model_context_window_exceeded', length],
  ['tool_use', toolCall],
  ['refusal', contentFilter],
]);

/** Gemini `Candidate.FinishReason`. STOP with function-call parts is turned into tool_call by the codec. */
const GEMINI = new Map<string, string>([
  ['STOP', stop],
  ['MAX_TOKENS', length],
  ['SAFETY', contentFilter],
  ['RECITATION', contentFilter],
  ['BLOCKLIST', contentFilter],
  ['PROHIBITED_CONTENT', contentFilter],
  ['SPII', contentFilter],
  ['IMAGE_SAFETY', contentFilter],
  ['IMAGE_PROHIBITED_CONTENT', contentFilter],
  ['IMAGE_RECITATION', contentFilter],
  ['LANGUAGE', error],
  ['MALFORMED_FUNCTION_CALL', error],
  ['UNEXPECTED_TOOL_CALL', error],
  ['TOO_MANY_TOOL_CALLS', error],
  ['MISSING_THOUGHT_SIGNATURE', error],
  ['IMAGE_OTHER', error],
  ['NO_IMAGE', error],
  ['OTHER', error],
  ['FINISH_REASON_UNSPECIFIED', error],
]);

/** Bedrock Converse `stopReason`. */
const BEDROCK = new Map<string, string>([
  ['end_turn', stop],
  ['stop_sequence', stop],
  ['max_tokens', length],
  ['model_context_window_exceeded', length],
  ['tool_use', toolCall],
  ['guardrail_intervened', contentFilter],
  ['content_filtered', contentFilter],
  ['malformed_model_output', error],
  ['malformed_tool_use', error],
]);

/** Ollama's native `done_reason`. */
const OLLAMA = new Map<string, string>([
  ['stop', stop],
  ['length', length],
  ['load', stop], // an empty request that only loaded the model
  ['unload', stop],
]);

const TABLES: Record<WireFormat, ReadonlyMap<string, string>> = {
  openai: OPENAI,
  ollama: OLLAMA,
  anthropic: ANTHROPIC,
  gemini: GEMINI,
  bedrock: BEDROCK,
};

/**
 * The normalized finish reason. A value the table does not know is passed through unchanged (the
 * conventions allow other strings); a missing one means the generation never reported an end,
 * e.g. a stream cut off, which is `error`.
 */
export function normalizeFinishReason(format: WireFormat, raw: string | undefined): string {
  if (raw === undefined || raw === '') return error;
  return TABLES[format].get(raw) ?? raw;
}
