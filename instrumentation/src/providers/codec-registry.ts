/**
 * The codec for each API kind; the endpoint registry picks the API from the URL, this picks the
 * code that reads its bodies and streams.
 */
import { anthropicMessagesCodec } from './anthropic-messages.js';
import { bedrockConverseCodec } from './bedrock-converse.js';
import { bedrockInvokeAnthropicCodec } from './bedrock-invoke-anthropic.js';
import { geminiEmbedContentCodec } from './gemini-embed-content.js';
import { geminiGenerateContentCodec } from './gemini-generate-content.js';
import { openAiChatCompletionsCodec } from './openai-chat-completions.js';
import { openAiCompletionsCodec } from './openai-completions.js';
import { openAiEmbeddingsCodec } from './openai-embeddings.js';
import { openAiResponsesCodec } from './openai-responses.js';
import { ollamaChatCodec, ollamaEmbedCodec, ollamaGenerateCodec } from './ollama-native.js';
import type { ApiKind, ProviderCodec } from './types.js';

const CODECS: Record<ApiKind, ProviderCodec> = {
  'openai.chat_completions': openAiChatCompletionsCodec,
  'openai.responses': openAiResponsesCodec,
  'openai.embeddings': openAiEmbeddingsCodec,
  'openai.completions': openAiCompletionsCodec,
  'anthropic.messages': anthropicMessagesCodec,
  'gemini.generate_content': geminiGenerateContentCodec,
  'gemini.embed_content': geminiEmbedContentCodec,
  'bedrock.converse': bedrockConverseCodec,
  'bedrock.invoke_anthropic': bedrockInvokeAnthropicCodec,
  'ollama.chat': ollamaChatCodec,
  'ollama.generate': ollamaGenerateCodec,
  'ollama.embed': ollamaEmbedCodec,
};

export function codecFor(api: ApiKind): ProviderCodec {
  return CODECS[api];
}
