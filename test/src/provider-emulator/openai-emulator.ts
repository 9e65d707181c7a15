// Emulates api.openai.com: POST /v1/chat/completions, /v1/responses, /v1/completions and
// /v1/embeddings, streamed and not. Point an SDK at `emulator.baseUrl` (= url + '/v1').
// Responses report the dated snapshot of the requested model (gpt-4o-mini → gpt-4o-mini-2024-07-18).
import { newId } from './ids.js';
import { ProviderEmulator, type EmulatorOptions, type ProviderDialect } from './emulator-server.js';
import { openAiSnapshotModel } from './model-names.js';
import { checkOpenAiCredentials, openAiErrorResponse } from './openai-errors.js';
import { openAiRoute, type OpenAiFlavour } from './openai-routes.js';

const flavour: OpenAiFlavour = {
  azure: false,
  responseModel: (call) => call.reply.model ?? openAiSnapshotModel(String(call.body.model)),
  badRequest: (message, param) => openAiErrorResponse(400, { message, param, type: 'invalid_request_error' }),
};

export const openAiDialect: ProviderDialect = {
  provider: 'openai',
  title: 'OpenAI API',
  realHost: 'api.openai.com',
  sdkBasePath: '/v1',
  routes: [
    openAiRoute('chat.completions', '/v1/chat/completions', flavour),
    openAiRoute('responses', '/v1/responses', flavour),
    openAiRoute('completions', '/v1/completions', flavour),
    openAiRoute('embeddings', '/v1/embeddings', flavour),
  ],
  responseHeaders: () => ({ 'x-request-id': newId.openAiRequest(), 'openai-version': '2020-10-01', 'openai-processing-ms': '1' }),
  errorResponse: openAiErrorResponse,
  checkCredentials: checkOpenAiCredentials,
};

/** Starts an OpenAI emulator on 127.0.0.1; `new OpenAI({ baseURL: emulator.baseUrl, apiKey: 'test' })`. */
export function startOpenAIEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(openAiDialect, options);
}
