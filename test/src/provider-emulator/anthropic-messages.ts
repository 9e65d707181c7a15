// Anthropic Messages API bodies (POST /v1/messages): the message object and the SSE event
// sequence of https://docs.anthropic.com/en/docs/build-with-claude/streaming —
// message_start, content_block_start, ping, content_block_delta…, content_block_stop,
// message_delta, message_stop. input_tokens EXCLUDES cache reads and writes, so the scripted
// total is split into input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
import { finishReasonFor } from './finish-reasons.js';
import { newId } from './ids.js';
import type { ResolvedReply } from './scripted-reply.js';
import { sseEvent } from './sse-writer.js';
import { splitArguments, splitIntoChunks } from './text-chunks.js';

/** The usage object; `outputTokens` lets message_start report its customary 1. */
export function anthropicUsage(reply: ResolvedReply, outputTokens = reply.outputTokens): Record<string, unknown> {
  return {
    input_tokens: reply.inputTokens - reply.cachedInputTokens - reply.cacheCreationInputTokens,
    cache_creation_input_tokens: reply.cacheCreationInputTokens,
    cache_read_input_tokens: reply.cachedInputTokens,
    cache_creation: { ephemeral_5m_input_tokens: reply.cacheCreationInputTokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    ...(reply.reasoningTokens > 0 ? { output_tokens_details: { thinking_tokens: reply.reasoningTokens } } : {}),
    service_tier: 'standard',
  };
}

interface Blocks {
  text: boolean;
  toolUse: { id: string; name: string; input: string } | undefined;
}

function blocksOf(reply: ResolvedReply): Blocks {
  return {
    text: reply.text !== '' || !reply.toolCall,
    toolUse: reply.toolCall && { id: reply.toolCall.id ?? newId.anthropicToolUse(), name: reply.toolCall.name, input: reply.toolCall.arguments },
  };
}

/** The non-streamed message object. */
export function messageBody(reply: ResolvedReply, model: string): Record<string, unknown> {
  const blocks = blocksOf(reply);
  const content: unknown[] = [];
  if (blocks.text) content.push({ type: 'text', text: reply.text });
  if (blocks.toolUse) content.push({ type: 'tool_use', id: blocks.toolUse.id, name: blocks.toolUse.name, input: JSON.parse(blocks.toolUse.input) });
  return {
    id: newId.anthropicMessage(),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: finishReasonFor('anthropic', reply),
    stop_sequence: null,
    usage: anthropicUsage(reply),
  };
}

/** The streamed events; a scripted stream error becomes `event: error` after half the text deltas. */
export function messageEvents(reply: ResolvedReply, model: string): string[] {
  const blocks = blocksOf(reply);
  const events: string[] = [];
  const emit = (type: string, fields: Record<string, unknown> = {}): void => { events.push(sseEvent({ type, ...fields }, { event: type })); };
  const emitError = (): string[] => {
    emit('error', { error: { type: reply.streamErrorEvent?.type, message: reply.streamErrorEvent?.message } });
    return events;
  };
  emit('message_start', {
    message: {
      id: newId.anthropicMessage(), type: 'message', role: 'assistant', model, content: [],
      stop_reason: null, stop_sequence: null, usage: anthropicUsage(reply, 1),
    },
  });
  let index = 0;
  if (blocks.text) {
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
    emit('ping');
    const deltas = splitIntoChunks(reply.text);
    const cut = reply.streamErrorEvent ? Math.max(1, Math.floor(deltas.length / 2)) : deltas.length;
    for (const text of deltas.slice(0, cut)) emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
    if (reply.streamErrorEvent) return emitError();
    emit('content_block_stop', { index });
    index++;
  }
  if (blocks.toolUse) {
    emit('content_block_start', { index, content_block: { type: 'tool_use', id: blocks.toolUse.id, name: blocks.toolUse.name, input: {} } });
    if (!blocks.text) emit('ping');
    if (reply.streamErrorEvent) return emitError();
    // The API opens tool input with an empty partial_json before the fragments.
    for (const partial_json of ['', ...splitArguments(blocks.toolUse.input)]) {
      emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
    }
    emit('content_block_stop', { index });
  }
  const usage = anthropicUsage(reply);
  emit('message_delta', {
    delta: { stop_reason: finishReasonFor('anthropic', reply), stop_sequence: null },
    // message_delta usage is cumulative for the whole message.
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
      ...(usage.output_tokens_details ? { output_tokens_details: usage.output_tokens_details } : {}),
    },
  });
  emit('message_stop');
  return events;
}
