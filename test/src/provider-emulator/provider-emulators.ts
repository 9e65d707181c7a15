// Starts all five provider emulators at once, for tests that cover every provider and for the
// demo, which prints describe() so nobody mistakes the emulator for the real APIs.
import { startAnthropicEmulator } from './anthropic-emulator.js';
import { startAzureOpenAIEmulator, type AzureOpenAIEmulatorOptions } from './azure-openai-emulator.js';
import { startBedrockEmulator } from './bedrock-emulator.js';
import type { EmulatedProvider, ProviderEmulator } from './emulator-server.js';
import { startGeminiEmulator } from './gemini-emulator.js';
import { startOpenAIEmulator } from './openai-emulator.js';

export interface ProviderEmulators {
  openai: ProviderEmulator;
  azureOpenai: ProviderEmulator;
  anthropic: ProviderEmulator;
  gemini: ProviderEmulator;
  bedrock: ProviderEmulator;
  /** The base URL to give each provider's SDK. */
  urls: Record<Exclude<EmulatedProvider, 'ollama' | 'gateway'>, string>;
  all: readonly ProviderEmulator[];
  /** A banner naming every emulator, its URL and routes. */
  describe(): string;
  /** reset() on each emulator. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts OpenAI, Azure OpenAI, Anthropic, Gemini and Bedrock emulators with the same options. */
export async function startProviderEmulators(options: AzureOpenAIEmulatorOptions = {}): Promise<ProviderEmulators> {
  const started = await Promise.allSettled([
    startOpenAIEmulator(options),
    startAzureOpenAIEmulator(options),
    startAnthropicEmulator(options),
    startGeminiEmulator(options),
    startBedrockEmulator(options),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [openai, azureOpenai, anthropic, gemini, bedrock] = started.map((s) => (s as PromiseFulfilledResult<ProviderEmulator>).value);
  const all = [openai, azureOpenai, anthropic, gemini, bedrock];
  return {
    openai, azureOpenai, anthropic, gemini, bedrock, all,
    urls: {
      openai: openai.baseUrl,
      'azure-openai': azureOpenai.baseUrl,
      anthropic: anthropic.baseUrl,
      gemini: gemini.baseUrl,
      bedrock: bedrock.baseUrl,
    },
    describe: () => [
      'LLM provider EMULATORS (local test doubles, not the real services; no request leaves this machine):',
      ...all.map((e) => e.describe()),
    ].join('\n'),
    reset: () => { for (const e of all) e.reset(); },
    close: async () => { await Promise.all(all.map((e) => e.close())); },
  };
}
