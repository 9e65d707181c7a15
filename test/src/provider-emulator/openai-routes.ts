// Route handlers shared by the OpenAI and Azure OpenAI emulators: both serve the same four
// operations with the same bodies; they differ in paths, in how the response model is named and
// in Azure's content-filter annotations (see OpenAiFlavour).
import type { EmulatorRoute, RouteCall } from './emulator-server.js';
import { chatCompletionBody, chatCompletionEvents, type OpenAiRender } from './openai-chat.js';
import { completionBody, completionEvents, embeddingsBody } from './openai-completions.js';
import { responseBody, responseEvents } from './openai-responses.js';
import type { PlannedResponse } from './response-writer.js';

export interface OpenAiFlavour {
  azure: boolean;
  /** The model the response reports for this call. */
  responseModel(call: RouteCall): string;
  /** Sends the flavour's 400 for a request the real API would reject. */
  badRequest(message: string, param: string): PlannedResponse;
}

export type OpenAiOperation = 'chat.completions' | 'responses' | 'completions' | 'embeddings';

const SSE = 'text/event-stream; charset=utf-8';

/** One route serving `operation` at `path`. */
export function openAiRoute(operation: OpenAiOperation, path: string, flavour: OpenAiFlavour): EmulatorRoute {
  return { name: operation, path, handle: (call) => handleOperation(operation, call, flavour) };
}

function handleOperation(operation: OpenAiOperation, call: RouteCall, flavour: OpenAiFlavour): PlannedResponse {
  const { body, reply } = call;
  // Azure deployment routes name the model in the path; everywhere else it is required in the body.
  if (typeof body.model !== 'string' && call.params.deployment === undefined) {
    return flavour.badRequest('you must provide a model parameter', 'model');
  }
  const render: OpenAiRender = { reply, model: flavour.responseModel(call), azure: flavour.azure };
  const stream = body.stream === true;
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  switch (operation) {
    case 'chat.completions':
      return stream
        ? { kind: 'stream', status: 200, contentType: SSE, chunks: chatCompletionEvents(render, includeUsage) }
        : { kind: 'json', status: 200, body: chatCompletionBody(render) };
    case 'responses':
      return stream
        ? { kind: 'stream', status: 200, contentType: SSE, chunks: responseEvents(render, body) }
        : { kind: 'json', status: 200, body: responseBody(render, body) };
    case 'completions':
      return stream
        ? { kind: 'stream', status: 200, contentType: SSE, chunks: completionEvents(render, includeUsage) }
        : { kind: 'json', status: 200, body: completionBody(render) };
    case 'embeddings':
      return { kind: 'json', status: 200, body: embeddingsBody(body, reply, render.model) };
  }
}
