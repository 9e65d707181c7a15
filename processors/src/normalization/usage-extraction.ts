/**
 * Token usage in the GenAI conventions' meaning (v1.41: input tokens include cached ones; reasoning
 * tokens are part of output tokens), from our attributes, the deprecated GenAI names, OpenLLMetry,
 * OpenInference and the Vercel AI SDK. Each list is in order of precedence.
 */
import {
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_REASONING_TOKENS,
  ATTR_AI_USAGE_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_TOKEN_COUNT_COMPLETION,
  ATTR_LLM_TOKEN_COUNT_COMPLETION_REASONING,
  ATTR_LLM_TOKEN_COUNT_PROMPT,
  ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_READ,
  ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
  ATTR_LLM_TOKEN_COUNT_TOTAL,
  ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS,
} from '@tokentrace/semconv';
import { firstNumber } from './attribute-readers.js';
import { slotsOf, type AttributeTable } from './attribute-table.js';

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningOutputTokens?: number;
}

const INPUT_KEYS = slotsOf([
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_LLM_TOKEN_COUNT_PROMPT,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_TOKENS,
]);
const OUTPUT_KEYS = slotsOf([
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_TOKEN_COUNT_COMPLETION,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
]);
const TOTAL_KEYS = slotsOf([ATTR_LLM_TOKEN_COUNT_TOTAL, ATTR_LLM_USAGE_TOTAL_TOKENS]);
const CACHE_READ_KEYS = slotsOf([
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_READ,
  ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
]);
const CACHE_CREATION_KEYS = slotsOf([
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  // The latest experimental name (gen_ai_latest_experimental, semantic-conventions-genai #440).
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
]);
const REASONING_KEYS = slotsOf([
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS,
  ATTR_LLM_TOKEN_COUNT_COMPLETION_REASONING,
  ATTR_AI_USAGE_REASONING_TOKENS,
]);

/** The loaded span's usage, written into `usage` (the span's GenAI fields: no object of its own). */
export function extractUsage(table: AttributeTable, usage: TokenUsage): void {
  let inputTokens = firstNumber(table, INPUT_KEYS);
  let outputTokens = firstNumber(table, OUTPUT_KEYS);
  const cacheReadInputTokens = firstNumber(table, CACHE_READ_KEYS);
  const cacheCreationInputTokens = firstNumber(table, CACHE_CREATION_KEYS);
  const reasoningOutputTokens = firstNumber(table, REASONING_KEYS);

  // Only a total and one side: the other side is the difference.
  if (inputTokens === undefined || outputTokens === undefined) {
    const total = firstNumber(table, TOTAL_KEYS);
    if (total !== undefined && inputTokens !== undefined) outputTokens = Math.max(0, total - inputTokens);
    else if (total !== undefined && outputTokens !== undefined) inputTokens = Math.max(0, total - outputTokens);
  }

  // Anthropic's API counts input tokens without the cached ones, and some instrumentations pass
  // that on. When the cache counts exceed the input count that must be the case: add them back,
  // so input means all input tokens as the conventions say.
  const cached = (cacheReadInputTokens ?? 0) + (cacheCreationInputTokens ?? 0);
  if (inputTokens !== undefined && cached > inputTokens) inputTokens += cached;

  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (cacheReadInputTokens !== undefined) usage.cacheReadInputTokens = cacheReadInputTokens;
  if (cacheCreationInputTokens !== undefined) usage.cacheCreationInputTokens = cacheCreationInputTokens;
  if (reasoningOutputTokens !== undefined) usage.reasoningOutputTokens = reasoningOutputTokens;
}

export function hasUsage(usage: TokenUsage): boolean {
  return usage.inputTokens !== undefined || usage.outputTokens !== undefined;
}
