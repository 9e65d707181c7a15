// One server that speaks several providers' wire formats on one port, as an LLM gateway (LiteLLM,
// Portkey, a corporate proxy) does: OpenAI (/v1/...), Anthropic (/v1/messages), Gemini
// (/v1beta/models/{m}:...), Bedrock (/model/{id}/...) and Ollama (/api/...). Each path is answered
// by its provider's own route, so every SDK works unchanged against `emulator.url`. Credentials
// are not checked (gateways hold their own); errors use OpenAI's body.
import { anthropicDialect } from './anthropic-emulator.js';
import { bedrockDialect } from './bedrock-emulator.js';
import { ProviderEmulator, type EmulatorOptions, type ProviderDialect } from './emulator-server.js';
import { geminiDialect } from './gemini-emulator.js';
import { ollamaRoutes } from './ollama-emulator.js';
import { openAiDialect } from './openai-emulator.js';
import { openAiErrorResponse } from './openai-errors.js';

export const gatewayDialect: ProviderDialect = {
  provider: 'gateway',
  title: 'LLM gateway (several providers on one port)',
  realHost: 'a gateway such as LiteLLM or Portkey',
  sdkBasePath: '',
  routes: [...openAiDialect.routes, ...anthropicDialect.routes, ...geminiDialect.routes, ...bedrockDialect.routes, ...ollamaRoutes],
  responseHeaders: () => ({}),
  errorResponse: openAiErrorResponse,
  checkCredentials: () => undefined,
};

/** Starts the gateway emulator; give each SDK `emulator.url` (+ `/v1` for OpenAI). */
export function startGatewayEmulator(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(gatewayDialect, { ...options, requireApiKey: false });
}
