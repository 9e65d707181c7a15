// OpenAI Chat Completions bodies: the chat.completion object and the chat.completion.chunk SSE
// stream (https://platform.openai.com/docs/api-reference/chat/object and /chat-streaming).
// Shared by the OpenAI and Azure OpenAI emulators; Azure adds its content-filter annotations.
import { finishReasonFor } from './finish-reasons.js';
import { newId } from './ids.js';
import type { ResolvedReply } from './scripted-reply.js';
import { sseEvent } from './sse-writer.js';
import { splitArguments, splitIntoChunks } from './text-chunks.js';

export interface OpenAiRender {
  reply: ResolvedReply;
  /** The model the response reports. */
  model: string;
  /** Azure annotates prompts and choices with content-filter results. */
  azure: boolean;
}

/** Chat/legacy-completions usage; prompt_tokens includes cached tokens, completion_tokens includes reasoning. */
export function chatUsage(reply: ResolvedReply): Record<string, unknown> {
  return {
    prompt_tokens: reply.inputTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: reply.inputTokens + reply.outputTokens,
    prompt_tokens_details: { cached_tokens: reply.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reply.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0,
    },
  };
}

/** Azure's content-filter verdicts, all "safe" (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter). */
export function azureFilterResults(): Record<string, unknown> {
  const safe = { filtered: false, severity: 'safe' };
  return { hate: safe, self_harm: safe, sexual: safe, violence: safe };
}

function toolCallOf(reply: ResolvedReply): { id: string; name: string; arguments: string } | undefined {
  return reply.toolCall && { id: reply.toolCall.id ?? newId.openAiToolCall(), name: reply.toolCall.name, arguments: reply.toolCall.arguments };
}

/** The non-streamed chat.completion object. */
export function chatCompletionBody({ reply, model, azure }: OpenAiRender): Record<string, unknown> {
  const toolCall = toolCallOf(reply);
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.text === '' && toolCall ? null : reply.text,
    refusal: null,
    annotations: [],
  };
  if (toolCall) {
    message.tool_calls = [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } }];
  }
  const choice: Record<string, unknown> = { index: 0, message, logprobs: null, finish_reason: finishReasonFor('openai', reply) };
  if (azure) choice.content_filter_results = azureFilterResults();
  return {
    id: newId.chatCompletion(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [choice],
    usage: chatUsage(reply),
    ...(azure
      ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: azureFilterResults() }], system_fingerprint: newId.systemFingerprint() }
      : { service_tier: 'default', system_fingerprint: newId.systemFingerprint() }),
  };
}

/**
 * The SSE events of a streamed chat completion: role delta, content deltas, tool-call deltas,
 * the finish_reason chunk, then a usage chunk with empty choices ONLY when the request set
 * stream_options.include_usage (in which case every earlier chunk carries `usage: null`), then
 * `data: [DONE]`. A scripted stream error replaces the rest of the stream after half the deltas.
 */
export function chatCompletionEvents({ reply, model, azure }: OpenAiRender, includeUsage: boolean): string[] {
  const base = {
    id: newId.chatCompletion(), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model,
    ...(azure ? {} : { service_tier: 'default' }), system_fingerprint: newId.systemFingerprint(),
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string => {
    const choice: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finishReason };
    if (azure && finishReason !== null) choice.content_filter_results = {};
    return sseEvent({ ...base, choices: [choice], ...(includeUsage ? { usage: null } : {}) });
  };
  const toolCall = toolCallOf(reply);
  const events: string[] = [];
  // Azure opens every stream with an anonymous chunk carrying only the prompt filter results.
  if (azure) {
    events.push(sseEvent({
      choices: [], created: 0, id: '', model: '', object: '',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: azureFilterResults() }],
    }));
  }
  const deltas: Array<Record<string, unknown>> = splitIntoChunks(reply.text).map((content) => ({ content }));
  if (toolCall) {
    deltas.push({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] });
    for (const piece of splitArguments(toolCall.arguments)) deltas.push({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  }
  const first = deltas[0]?.content !== undefined || !toolCall
    ? { role: 'assistant', content: '', refusal: null }
    : { role: 'assistant', content: null, refusal: null, ...deltas.shift() };
  events.push(chunk(first));
  const cut = reply.streamErrorEvent ? Math.max(1, Math.floor(deltas.length / 2)) : deltas.length;
  for (const delta of deltas.slice(0, cut)) events.push(chunk(delta));
  if (reply.streamErrorEvent) {
    // OpenAI reports failures inside a started stream as a data event with an `error` object.
    events.push(sseEvent({ error: { message: reply.streamErrorEvent.message, type: reply.streamErrorEvent.type, param: null, code: null } }));
    return events;
  }
  events.push(chunk({}, finishReasonFor('openai', reply)));
  if (includeUsage) events.push(sseEvent({ ...base, choices: [], usage: chatUsage(reply) }));
  events.push(sseEvent('[DONE]'));
  return events;
}
