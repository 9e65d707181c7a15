// Emulates api.anthropic.com: POST /v1/messages, streamed (SSE) and not. Point the SDK at
// `emulator.baseUrl` (= url): `new Anthropic({ baseURL: emulator.baseUrl, apiKey: 'test' })`.
// Errors use {type:'error', error:{type,message}, request_id} (https://docs.anthropic.com/en/api/errors).
import { messageBody, messageEvents } from './anthropic-messages.js';
import { ProviderEmulator, type EmulatorOptions, type ProviderDialect } from './emulator-server.js';
import { newId } from './ids.js';
import type { JsonPlan } from './response-writer.js';
import type { ScriptedError } from './scripted-reply.js';

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

function anthropicErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  const fallback = ERROR_TYPES[status] ?? { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: `HTTP ${status}` };
  return {
    kind: 'json',
    status,
    body: {
      type: 'error',
      error: { type: error?.type ?? fallback.type, message: error?.message ?? fallback.message },
      request_id: newId.anthropicRequest(),
    },
  };
}

export const anthropicDialect: ProviderDialect = {
  provider: 'anthropic',
  title: 'Anthropic API',
  realHost: 'api.anthropic.com',
  sdkBasePath: '',
  routes: [{
    name: 'messages',
    path: '/v1/messages',
    handle: ({ body, reply }) => {
      if (typeof body.model !== 'string') return anthropicErrorResponse(400, { message: 'model: Field required' });
      const model = reply.model ?? body.model;
      return body.stream === true
        ? { kind: 'stream', status: 200, contentType: 'text/event-stream; charset=utf-8', chunks: messageEvents(reply, model) }
        : { kind: 'json', status: 200, body: messageBody(reply, model) };
    },
  }],
  responseHeaders: () => ({ 'request-id': newId.anthropicRequest(), 'anthropic-organization-id': newId.uuid() }),
  errorResponse: anthropicErrorResponse,
  // The API takes `x-api-key`, or `Authorization: Bearer` for OAuth tokens.
  checkCredentials: (request) => request.headers['x-api-key'] || /^Bearer \S+/i.test(request.headers.authorization ?? '')
    ? undefined
    : anthropicErrorResponse(401, { message: 'x-api-key header is required' }),
};

/** Starts an Anthropic emulator on 127.0.0.1. */
export function startAnthropicEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(anthropicDialect, options);
}
