// Maps the scripted, provider-neutral finish reasons onto each wire format, so one conformance
// test can script `length` for every provider. Anything not in the table is sent verbatim,
// which lets a test script a provider-native value such as Anthropic's `pause_turn`.
// Values: OpenAI chat `finish_reason`, Anthropic `stop_reason`, Gemini `finishReason`
// (https://ai.google.dev/api/generate-content#FinishReason), Bedrock Converse `stopReason`.

export type FinishReasonDialect = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

const TABLE: Record<string, Record<FinishReasonDialect, string>> = {
  stop: { openai: 'stop', anthropic: 'end_turn', gemini: 'STOP', bedrock: 'end_turn' },
  length: { openai: 'length', anthropic: 'max_tokens', gemini: 'MAX_TOKENS', bedrock: 'max_tokens' },
  // Gemini has no tool-call finish reason: a function call ends with STOP.
  tool_call: { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP', bedrock: 'tool_use' },
  content_filter: { openai: 'content_filter', anthropic: 'refusal', gemini: 'SAFETY', bedrock: 'content_filtered' },
};
TABLE.tool_calls = TABLE.tool_call;

/** The neutral name (`stop`, `length`, `tool_call`, `content_filter`) a reply ends with, if known. */
export function neutralFinishReason(reply: { finishReason: string | undefined; toolCall: unknown }): string | undefined {
  const scripted = reply.finishReason ?? (reply.toolCall ? 'tool_call' : 'stop');
  return scripted === 'tool_calls' ? 'tool_call' : Object.hasOwn(TABLE, scripted) ? scripted : undefined;
}

/** The finish reason as the given provider spells it. */
export function finishReasonFor(dialect: FinishReasonDialect,
  reply: { finishReason: string | undefined; toolCall: unknown }): string {
  const scripted = reply.finishReason ?? (reply.toolCall ? 'tool_call' : 'stop');
  return Object.hasOwn(TABLE, scripted) ? TABLE[scripted][dialect] : scripted;
}
