// Emulates Ollama's native API (https://docs.ollama.com/api) on 127.0.0.1: POST /api/chat,
// /api/generate and /api/embed. Chat and generate stream by default (`stream` absent means true)
// as newline-delimited JSON (application/x-ndjson), the last line `done: true` with `done_reason`,
// `prompt_eval_count` and `eval_count`. No credentials. Errors are `{"error": "..."}`.
import { ProviderEmulator, type EmulatorOptions, type EmulatorRoute, type ProviderDialect, type RouteCall } from './emulator-server.js';
import { embeddingFor } from './embedding-vectors.js';
import type { JsonPlan, PlannedResponse } from './response-writer.js';
import type { ScriptedError } from './scripted-reply.js';
import { splitIntoChunks } from './text-chunks.js';

function ollamaErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  return { kind: 'json', status, body: { error: error?.message ?? `HTTP ${status}` } };
}

function doneReason(call: RouteCall): string {
  return call.reply.finishReason === 'length' ? 'length' : call.reply.finishReason ?? 'stop';
}

function generation(call: RouteCall, api: 'chat' | 'generate'): PlannedResponse {
  const { body, reply } = call;
  if (typeof body.model !== 'string') return ollamaErrorResponse(400, { message: 'model is required' });
  const model = reply.model ?? body.model;
  const created_at = new Date().toISOString();
  const piece = (text: string) => (api === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text });
  const last = {
    model, created_at, ...piece(''), done: true, done_reason: doneReason(call),
    total_duration: 1_000_000, load_duration: 1000, prompt_eval_count: reply.inputTokens, eval_count: reply.outputTokens,
  };
  if (body.stream === false) {
    return { kind: 'json', status: 200, body: { ...last, ...piece(reply.text) } };
  }
  const lines = splitIntoChunks(reply.text).map((text) => JSON.stringify({ model, created_at, ...piece(text), done: false }) + '\n');
  lines.push(JSON.stringify(last) + '\n');
  return { kind: 'stream', status: 200, contentType: 'application/x-ndjson', chunks: lines };
}

function embed(call: RouteCall): PlannedResponse {
  const { body, reply } = call;
  if (typeof body.model !== 'string') return ollamaErrorResponse(400, { message: 'model is required' });
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const dimensions = reply.embeddingDimensions ?? 8;
  return {
    kind: 'json',
    status: 200,
    body: {
      model: reply.model ?? body.model,
      embeddings: inputs.map((input, i) => embeddingFor(`${String(input)}#${i}`, dimensions)),
      total_duration: 1_000_000, load_duration: 1000, prompt_eval_count: reply.inputTokens,
    },
  };
}

export const ollamaRoutes: readonly EmulatorRoute[] = [
  { name: 'chat', path: '/api/chat', handle: (call) => generation(call, 'chat') },
  { name: 'generate', path: '/api/generate', handle: (call) => generation(call, 'generate') },
  { name: 'embed', path: '/api/embed', handle: embed },
];

export const ollamaDialect: ProviderDialect = {
  provider: 'ollama',
  title: 'Ollama API',
  realHost: 'localhost:11434',
  sdkBasePath: '',
  routes: ollamaRoutes,
  responseHeaders: () => ({}),
  errorResponse: ollamaErrorResponse,
  checkCredentials: () => undefined,
};

/** Starts an Ollama emulator on 127.0.0.1 (a random port unless `port` is given). */
export function startOllamaEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(ollamaDialect, options);
}
