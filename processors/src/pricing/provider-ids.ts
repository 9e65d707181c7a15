/**
 * Our `gen_ai.provider.name` values → `@pydantic/genai-prices` provider ids (its bundled data:
 * `genai-prices list`). `null` marks self-hosted servers: their models cost what the hardware
 * costs, so they are priced only from the user's price file, never at a cloud vendor's rates.
 * `undefined` (a provider we cannot map, or none) lets genai-prices pick the provider from the
 * model id (`gpt-` → openai, `claude` → anthropic).
 */
import { GEN_AI_PROVIDER } from '@tokentrace/semconv';

const CATALOG_PROVIDER_IDS: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  [GEN_AI_PROVIDER.openai, 'openai'],
  // Azure's catalog entry falls back to openai, anthropic, deepseek, x-ai and moonshotai models.
  [GEN_AI_PROVIDER.azureOpenai, 'azure'],
  [GEN_AI_PROVIDER.azureAiInference, 'azure'],
  [GEN_AI_PROVIDER.anthropic, 'anthropic'],
  [GEN_AI_PROVIDER.awsBedrock, 'aws'],
  // One Google provider in the catalog covers the Gemini API and Vertex AI (and Claude on Vertex).
  [GEN_AI_PROVIDER.gcpGemini, 'google'],
  [GEN_AI_PROVIDER.gcpVertexAi, 'google'],
  [GEN_AI_PROVIDER.cohere, 'cohere'],
  [GEN_AI_PROVIDER.deepseek, 'deepseek'],
  [GEN_AI_PROVIDER.groq, 'groq'],
  [GEN_AI_PROVIDER.mistralAi, 'mistral'],
  [GEN_AI_PROVIDER.perplexity, 'perplexity'],
  [GEN_AI_PROVIDER.xAi, 'x-ai'],
  [GEN_AI_PROVIDER.togetherAi, 'together'],
  [GEN_AI_PROVIDER.openrouter, 'openrouter'],
  [GEN_AI_PROVIDER.fireworks, 'fireworks'],
  [GEN_AI_PROVIDER.ollama, null],
  [GEN_AI_PROVIDER.vllm, null],
]);

export function catalogProviderId(provider: string | undefined): string | null | undefined {
  return provider === undefined ? undefined : CATALOG_PROVIDER_IDS.get(provider);
}

/**
 * The vendor named inside a model id (`anthropic.claude-...` on Bedrock, `openai/gpt-4o` on
 * OpenRouter) → its catalog provider: the fallback when the hosting provider's list lacks the model.
 */
const VENDOR_PROVIDER_IDS: ReadonlyMap<string, string> = new Map([
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['google', 'google'],
  ['mistral', 'mistral'],
  ['mistralai', 'mistral'],
  ['cohere', 'cohere'],
  ['deepseek', 'deepseek'],
  ['x-ai', 'x-ai'],
  ['xai', 'x-ai'],
  ['amazon', 'aws'],
]);

export function vendorProviderId(vendor: string): string | undefined {
  return VENDOR_PROVIDER_IDS.get(vendor);
}
