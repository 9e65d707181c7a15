/**
 * Test fixture (not built into dist): an OpenAI endpoint as the host table detects it, for the
 * codec and capture tests that need one.
 */
import type { ApiKind, LlmEndpoint, ModelOperation } from './types.js';

export function openAiEndpoint(api: ApiKind = 'openai.chat_completions', operation: ModelOperation = 'chat'): LlmEndpoint {
  return { provider: 'openai', api, operation, serverAddress: 'api.openai.com', serverPort: 443, detection: 'host' };
}
