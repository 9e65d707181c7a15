// OpenAI Responses API bodies (POST /v1/responses): the response object and its typed SSE stream
// (https://platform.openai.com/docs/api-reference/responses/object and /responses-streaming).
// Every event repeats its type in `event:` and `data.type` and carries a sequence_number.
import { neutralFinishReason } from './finish-reasons.js';
import { newId } from './ids.js';
import type { OpenAiRender } from './openai-chat.js';
import type { ResolvedReply } from './scripted-reply.js';
import { sseEvent } from './sse-writer.js';
import { splitArguments, splitIntoChunks } from './text-chunks.js';

type Item = Record<string, unknown>;

interface Planned {
  id: string;
  createdAt: number;
  status: 'completed' | 'incomplete';
  incompleteReason: string | undefined;
  reasoning: Item | undefined;
  message: Item | undefined;
  functionCall: Item | undefined;
}

/** Usage: input_tokens includes cached_tokens, output_tokens includes reasoning_tokens. */
export function responsesUsage(reply: ResolvedReply): Record<string, unknown> {
  return {
    input_tokens: reply.inputTokens,
    input_tokens_details: { cached_tokens: reply.cachedInputTokens },
    output_tokens: reply.outputTokens,
    output_tokens_details: { reasoning_tokens: reply.reasoningTokens },
    total_tokens: reply.inputTokens + reply.outputTokens,
  };
}

function plan(reply: ResolvedReply): Planned {
  // `length` and `content_filter` end a response as `incomplete` rather than with a finish reason.
  const neutral = neutralFinishReason(reply);
  const incompleteReason = neutral === 'length' ? 'max_output_tokens' : neutral === 'content_filter' ? 'content_filter' : undefined;
  const status = incompleteReason ? 'incomplete' : 'completed';
  return {
    id: newId.response(),
    createdAt: Math.floor(Date.now() / 1000),
    status,
    incompleteReason,
    // Reasoning models put a reasoning item before the message; instrumentation must not assume output[0] is text.
    reasoning: reply.reasoningTokens > 0 ? { id: newId.responseReasoning(), type: 'reasoning', summary: [] } : undefined,
    message: reply.text !== '' || !reply.toolCall
      ? {
        id: newId.responseMessage(), type: 'message', status, role: 'assistant',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text }],
      }
      : undefined,
    functionCall: reply.toolCall
      ? {
        id: newId.responseFunctionCall(), type: 'function_call', status: 'completed',
        arguments: reply.toolCall.arguments, call_id: reply.toolCall.id ?? newId.openAiToolCall(), name: reply.toolCall.name,
      }
      : undefined,
  };
}

function responseObject(p: Planned, render: OpenAiRender, body: Record<string, unknown>, final: boolean): Record<string, unknown> {
  const reasoning = body.reasoning as { effort?: unknown } | undefined;
  return {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status: final ? p.status : 'in_progress',
    background: false,
    error: null,
    incomplete_details: final && p.incompleteReason ? { reason: p.incompleteReason } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: render.model,
    output: final ? [p.reasoning, p.message, p.functionCall].filter((i) => i !== undefined) : [],
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: reasoning?.effort ?? null, summary: null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: final ? responsesUsage(render.reply) : null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

/** The non-streamed response object. */
export function responseBody(render: OpenAiRender, body: Record<string, unknown>): Record<string, unknown> {
  return responseObject(plan(render.reply), render, body, true);
}

/** The typed event stream of a streamed response, ending with response.completed (or .incomplete). */
export function responseEvents(render: OpenAiRender, body: Record<string, unknown>): string[] {
  const p = plan(render.reply);
  const events: string[] = [];
  const emit = (type: string, fields: Record<string, unknown>): void => {
    events.push(sseEvent({ type, sequence_number: events.length, ...fields }, { event: type }));
  };
  const streamError = render.reply.streamErrorEvent;
  const emitError = (): string[] => {
    emit('error', { code: streamError?.type ?? 'server_error', message: streamError?.message ?? '', param: null });
    return events;
  };
  emit('response.created', { response: responseObject(p, render, body, false) });
  emit('response.in_progress', { response: responseObject(p, render, body, false) });
  let outputIndex = 0;
  if (p.reasoning) {
    emit('response.output_item.added', { output_index: outputIndex, item: p.reasoning });
    emit('response.output_item.done', { output_index: outputIndex, item: p.reasoning });
    outputIndex++;
  }
  if (p.message) {
    const itemId = p.message.id;
    const text = render.reply.text;
    const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    emit('response.output_item.added', { output_index: outputIndex, item: { ...p.message, status: 'in_progress', content: [] } });
    emit('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    const deltas = splitIntoChunks(text);
    const cut = streamError ? Math.max(1, Math.floor(deltas.length / 2)) : deltas.length;
    for (const delta of deltas.slice(0, cut)) emit('response.output_text.delta', { ...at, delta, logprobs: [] });
    if (streamError) return emitError();
    emit('response.output_text.done', { ...at, text, logprobs: [] });
    emit('response.content_part.done', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text } });
    emit('response.output_item.done', { output_index: outputIndex, item: p.message });
    outputIndex++;
  }
  if (p.functionCall) {
    const at = { item_id: p.functionCall.id, output_index: outputIndex };
    emit('response.output_item.added', { output_index: outputIndex, item: { ...p.functionCall, status: 'in_progress', arguments: '' } });
    if (streamError) return emitError();
    for (const delta of splitArguments(String(p.functionCall.arguments))) emit('response.function_call_arguments.delta', { ...at, delta });
    emit('response.function_call_arguments.done', { ...at, name: p.functionCall.name, arguments: p.functionCall.arguments });
    emit('response.output_item.done', { output_index: outputIndex, item: p.functionCall });
  }
  emit(p.status === 'completed' ? 'response.completed' : 'response.incomplete', { response: responseObject(p, render, body, true) });
  return events;
}

