// Bedrock Runtime Converse bodies (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)
// and ConverseStream events (…/API_runtime_ConverseStream.html) as event-stream frames. Token
// semantics follow Anthropic: inputTokens EXCLUDES cacheReadInputTokens and cacheWriteInputTokens;
// totalTokens covers all of them plus outputTokens.
import { encodeEventFrame, encodeExceptionFrame } from './bedrock-event-stream.js';
import { finishReasonFor } from './finish-reasons.js';
import { newId, randomAlphanumeric } from './ids.js';
import type { ResolvedReply } from './scripted-reply.js';
import { splitArguments, splitIntoChunks } from './text-chunks.js';

/** The TokenUsage object; cache fields only when caching was involved. */
export function bedrockUsage(reply: ResolvedReply): Record<string, number> {
  const cacheRead = reply.cachedInputTokens;
  const cacheWrite = reply.cacheCreationInputTokens;
  const usage: Record<string, number> = {
    inputTokens: reply.inputTokens - cacheRead - cacheWrite,
    outputTokens: reply.outputTokens,
    totalTokens: reply.inputTokens + reply.outputTokens,
  };
  if (cacheRead > 0) usage.cacheReadInputTokens = cacheRead;
  if (cacheWrite > 0) usage.cacheWriteInputTokens = cacheWrite;
  return usage;
}

function toolUseOf(reply: ResolvedReply): { toolUseId: string; name: string; input: string } | undefined {
  return reply.toolCall && { toolUseId: reply.toolCall.id ?? newId.bedrockToolUse(), name: reply.toolCall.name, input: reply.toolCall.arguments };
}

/** The Converse response. */
export function converseBody(reply: ResolvedReply, latencyMs: number): Record<string, unknown> {
  const content: unknown[] = [];
  if (reply.text !== '' || !reply.toolCall) content.push({ text: reply.text });
  const toolUse = toolUseOf(reply);
  if (toolUse) content.push({ toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name, input: JSON.parse(toolUse.input) } });
  return {
    metrics: { latencyMs },
    output: { message: { content, role: 'assistant' } },
    stopReason: finishReasonFor('bedrock', reply),
    usage: bedrockUsage(reply),
  };
}

/**
 * ConverseStream frames: messageStart, contentBlockDelta…, contentBlockStop (text blocks get no
 * contentBlockStart; tool-use blocks do), messageStop, metadata. Bedrock pads each event payload
 * with a random `p` field so payload sizes do not leak content; parsers must ignore it.
 */
export function converseStreamFrames(reply: ResolvedReply): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const event = (type: string, payload: Record<string, unknown>): void => {
    frames.push(encodeEventFrame(type, { ...payload, p: randomAlphanumeric(1 + Math.floor(Math.random() * 40)) }));
  };
  const streamError = reply.streamErrorEvent;
  const fail = (): Uint8Array[] => {
    frames.push(encodeExceptionFrame(streamError?.type ?? 'modelStreamErrorException', { message: streamError?.message }));
    return frames;
  };
  event('messageStart', { role: 'assistant' });
  let index = 0;
  if (reply.text !== '' || !reply.toolCall) {
    const deltas = splitIntoChunks(reply.text);
    const cut = streamError ? Math.max(1, Math.floor(deltas.length / 2)) : deltas.length;
    for (const text of deltas.slice(0, cut)) event('contentBlockDelta', { contentBlockIndex: index, delta: { text } });
    if (streamError) return fail();
    event('contentBlockStop', { contentBlockIndex: index });
    index++;
  }
  const toolUse = toolUseOf(reply);
  if (toolUse) {
    event('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name } } });
    if (streamError) return fail();
    for (const input of splitArguments(toolUse.input)) event('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } });
    event('contentBlockStop', { contentBlockIndex: index });
  }
  event('messageStop', { stopReason: finishReasonFor('bedrock', reply) });
  const latencyMs = reply.firstChunkDelayMs + reply.chunkDelayMs * frames.length;
  event('metadata', { usage: bedrockUsage(reply), metrics: { latencyMs } });
  return frames;
}
