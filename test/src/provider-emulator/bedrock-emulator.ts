// Emulates bedrock-runtime.{region}.amazonaws.com: POST /model/{modelId}/converse (JSON) and
// /model/{modelId}/converse-stream (application/vnd.amazon.eventstream), and InvokeModel for
// Anthropic models: /model/{modelId}/invoke (a Messages response) and
// /invoke-with-response-stream (`chunk` events whose `bytes` are the base64 of each Messages
// stream event). modelId arrives
// percent-encoded (anthropic.claude-3-5-sonnet-20240620-v1%3A0). Errors carry `x-amzn-errortype`
// and a `{message}` body. Requests are not SigV4-verified, so no credentials are required.
import { messageBody, messageEvents } from './anthropic-messages.js';
import { converseBody, converseStreamFrames } from './bedrock-converse.js';
import { encodeEventFrame } from './bedrock-event-stream.js';
import { ProviderEmulator, type EmulatorOptions, type ProviderDialect } from './emulator-server.js';
import { newId } from './ids.js';
import type { JsonPlan } from './response-writer.js';
import type { ScriptedError } from './scripted-reply.js';

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'ValidationException', message: 'The provided request is not valid' },
  403: { type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." },
  404: { type: 'ResourceNotFoundException', message: 'The requested resource could not be found.' },
  408: { type: 'ModelTimeoutException', message: 'Model has timed out in processing the request.' },
  424: { type: 'ModelErrorException', message: 'The model returned an error.' },
  429: { type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  500: { type: 'InternalServerException', message: 'The server encountered an internal error.' },
  503: { type: 'ServiceUnavailableException', message: 'The service is unavailable. Please try again later.' },
};

function bedrockErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  const fallback = ERROR_TYPES[status] ?? { type: status >= 500 ? 'InternalServerException' : 'ValidationException', message: `HTTP ${status}` };
  return {
    kind: 'json',
    status,
    // The header names the Smithy shape; the AWS SDK reads the part before the colon.
    headers: { 'x-amzn-errortype': `${error?.type ?? fallback.type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    body: { message: error?.message ?? fallback.message },
  };
}

export const bedrockDialect: ProviderDialect = {
  provider: 'bedrock',
  title: 'Amazon Bedrock Runtime',
  realHost: 'bedrock-runtime.{region}.amazonaws.com',
  sdkBasePath: '',
  routes: [
    {
      name: 'converse',
      path: '/model/{modelId}/converse',
      handle: ({ reply }) => ({ kind: 'json', status: 200, body: converseBody(reply, reply.firstChunkDelayMs) }),
    },
    {
      name: 'converse-stream',
      path: '/model/{modelId}/converse-stream',
      handle: ({ reply }) => ({ kind: 'stream', status: 200, contentType: 'application/vnd.amazon.eventstream', chunks: converseStreamFrames(reply) }),
    },
    {
      name: 'invoke',
      path: '/model/{modelId}/invoke',
      handle: ({ params, reply }) => ({ kind: 'json', status: 200, body: messageBody(reply, params.modelId) }),
    },
    {
      name: 'invoke-with-response-stream',
      path: '/model/{modelId}/invoke-with-response-stream',
      handle: ({ params, reply }) => ({
        kind: 'stream',
        status: 200,
        contentType: 'application/vnd.amazon.eventstream',
        chunks: messageEvents(reply, params.modelId).map((sse) => {
          const data = sse.split('\n').find((line) => line.startsWith('data: '))!.slice('data: '.length);
          return encodeEventFrame('chunk', { bytes: Buffer.from(data).toString('base64') });
        }),
      }),
    },
  ],
  responseHeaders: () => ({ 'x-amzn-requestid': newId.uuid() }),
  errorResponse: bedrockErrorResponse,
  checkCredentials: () => undefined,
};

/** Starts a Bedrock Runtime emulator; its `baseUrl` is the endpoint (`endpoint:` for BedrockRuntimeClient). */
export function startBedrockEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(bedrockDialect, options);
}
