// Public surface of the provider emulators: local servers speaking the wire formats of OpenAI,
// Azure OpenAI, Anthropic, Gemini and Bedrock, scripted per call.
export { startOpenAIEmulator } from './openai-emulator.js';
export { startAzureOpenAIEmulator, type AzureOpenAIEmulatorOptions } from './azure-openai-emulator.js';
export { startAnthropicEmulator } from './anthropic-emulator.js';
export { startGeminiEmulator } from './gemini-emulator.js';
export { startBedrockEmulator } from './bedrock-emulator.js';
export { startProviderEmulators, type ProviderEmulators } from './provider-emulators.js';
export { ProviderEmulator, type EmulatedProvider, type EmulatorOptions } from './emulator-server.js';
export type { RecordedExchange, RecordedRequest, RecordedResponse } from './recorded-exchange.js';
export type { ScriptedReply, ScriptedToolCall, ScriptedError, ScriptedStreamError, ResolvedReply } from './scripted-reply.js';
export { DEFAULT_REPLY_TEXT } from './scripted-reply.js';
export { decodeEventStream, EventStreamFrameReader, readEventStream, type EventStreamFrame } from './bedrock-event-stream.js';
export { openAiSnapshotModel } from './model-names.js';
export { startOllamaEmulator } from './ollama-emulator.js';
export { startGatewayEmulator } from './gateway-emulator.js';
