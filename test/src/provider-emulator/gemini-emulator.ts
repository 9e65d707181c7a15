// Emulates generativelanguage.googleapis.com (Gemini API): POST /{v1beta or v1}/models/{model}:
// generateContent, :streamGenerateContent (SSE with `?alt=sse`, otherwise a JSON array streamed
// element by element), :embedContent and :batchEmbedContents. The key is accepted as the
// `x-goog-api-key` header or the `key` query parameter.
// `new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } })`.
import { ProviderEmulator, type EmulatorOptions, type EmulatorRoute, type ProviderDialect, type RouteCall } from './emulator-server.js';
import {
  batchEmbedContentsBody, embedContentBody, generateContentBody, geminiErrorBody, statusName, streamChunks,
  type GeminiRender,
} from './gemini-content.js';
import { newId } from './ids.js';
import type { JsonPlan, PlannedResponse } from './response-writer.js';
import type { ScriptedError } from './scripted-reply.js';
import { sseEvent } from './sse-writer.js';

const MESSAGES: Record<number, string> = {
  400: 'Request contains an invalid argument.',
  403: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  404: 'Requested entity was not found.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};

function geminiErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  const name = error?.type ?? statusName(status);
  return { kind: 'json', status, body: geminiErrorBody(status, name, error?.message ?? MESSAGES[status] ?? `HTTP ${status}`) };
}

function render(call: RouteCall): GeminiRender {
  return { reply: call.reply, modelVersion: call.reply.model ?? call.params.model, responseId: newId.geminiResponse() };
}

function streamGenerateContent(call: RouteCall): PlannedResponse {
  const chunks = streamChunks(render(call));
  if (call.request.query.alt === 'sse') {
    // The API ends SSE lines with CRLF.
    return { kind: 'stream', status: 200, contentType: 'text/event-stream', chunks: chunks.map((c) => sseEvent(c, { lineEnding: '\r\n' })) };
  }
  // Without alt=sse the body is one pretty-printed JSON array, written element by element.
  const last = chunks.length - 1;
  return {
    kind: 'stream', status: 200, contentType: 'application/json; charset=UTF-8',
    chunks: chunks.map((c, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(c, null, 2)}${i === last ? '\n]' : '\n'}`),
  };
}

const route = (name: string, action: string, handle: (call: RouteCall) => PlannedResponse): EmulatorRoute =>
  ({ name, path: `/{apiVersion}/models/{model}:${action}`, handle });

export const geminiDialect: ProviderDialect = {
  provider: 'gemini',
  title: 'Gemini API',
  realHost: 'generativelanguage.googleapis.com',
  sdkBasePath: '',
  routes: [
    route('generateContent', 'generateContent', (call) => ({ kind: 'json', status: 200, body: generateContentBody(render(call)) })),
    route('streamGenerateContent', 'streamGenerateContent', streamGenerateContent),
    route('embedContent', 'embedContent', (call) => ({ kind: 'json', status: 200, body: embedContentBody(call.body, call.reply) })),
    route('batchEmbedContents', 'batchEmbedContents', (call) => ({ kind: 'json', status: 200, body: batchEmbedContentsBody(call.body, call.reply) })),
  ],
  responseHeaders: () => ({ 'server-timing': 'gfet4t7; dur=1', vary: 'Origin, X-Origin, Referer' }),
  errorResponse: geminiErrorResponse,
  checkCredentials: (request) => request.headers['x-goog-api-key'] || request.query.key || /^Bearer \S+/i.test(request.headers.authorization ?? '')
    ? undefined
    : geminiErrorResponse(403, undefined),
};

/** Starts a Gemini API emulator on 127.0.0.1. */
export function startGeminiEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(geminiDialect, options);
}
