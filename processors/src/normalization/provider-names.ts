/**
 * Maps the provider names other instrumentations write (`OpenAI`, `az.ai.openai`, OpenInference's
 * `mistralai`, the AI SDK's `amazon-bedrock` or `google.vertex.chat`) onto the GenAI conventions'
 * `gen_ai.provider.name` values (semconv GEN_AI_PROVIDER). A name we do not know is kept,
 * lower-cased: the conventions allow custom values.
 */
import { GEN_AI_PROVIDER } from '@tokentrace/semconv';

/** Lower-case spellings → convention value. Dotted AI SDK names are looked up by their longest known prefix. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ...Object.values(GEN_AI_PROVIDER).map((name): [string, string] => [name, name]),
  // Deprecated `gen_ai.system` values (semantic conventions before v1.37).
  ['az.ai.openai', GEN_AI_PROVIDER.azureOpenai],
  ['az.ai.inference', GEN_AI_PROVIDER.azureAiInference],
  ['gemini', GEN_AI_PROVIDER.gcpGemini],
  ['vertex_ai', GEN_AI_PROVIDER.gcpVertexAi],
  ['xai', GEN_AI_PROVIDER.xAi],
  // OpenLLMetry, OpenInference (`llm.provider` / `llm.system`) and other spellings.
  ['azure', GEN_AI_PROVIDER.azureOpenai],
  ['azure_openai', GEN_AI_PROVIDER.azureOpenai],
  ['azure-openai', GEN_AI_PROVIDER.azureOpenai],
  ['aws', GEN_AI_PROVIDER.awsBedrock],
  ['bedrock', GEN_AI_PROVIDER.awsBedrock],
  ['aws_bedrock', GEN_AI_PROVIDER.awsBedrock],
  ['amazon-bedrock', GEN_AI_PROVIDER.awsBedrock],
  ['amazon_bedrock', GEN_AI_PROVIDER.awsBedrock],
  ['google', GEN_AI_PROVIDER.gcpGemini],
  ['google_genai', GEN_AI_PROVIDER.gcpGemini],
  ['google.generative-ai', GEN_AI_PROVIDER.gcpGemini],
  ['vertexai', GEN_AI_PROVIDER.gcpVertexAi],
  ['vertex', GEN_AI_PROVIDER.gcpVertexAi],
  ['google.vertex', GEN_AI_PROVIDER.gcpVertexAi],
  ['mistral', GEN_AI_PROVIDER.mistralAi],
  ['mistralai', GEN_AI_PROVIDER.mistralAi],
  ['x-ai', GEN_AI_PROVIDER.xAi],
  ['watsonx', GEN_AI_PROVIDER.ibmWatsonx],
  ['ibm', GEN_AI_PROVIDER.ibmWatsonx],
  ['together', GEN_AI_PROVIDER.togetherAi],
  ['togetherai', GEN_AI_PROVIDER.togetherAi],
  ['together-ai', GEN_AI_PROVIDER.togetherAi],
  ['fireworks', GEN_AI_PROVIDER.fireworks],
]);

const cache = new Map<string, string>();
const CACHE_LIMIT = 1024;

/** The convention's provider name for `raw`; results are cached (a handful of distinct values per deployment). */
export function normalizeProviderName(raw: string): string {
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const normalized = resolve(raw.trim().toLowerCase());
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, normalized);
  return normalized;
}

function resolve(name: string): string {
  // `google.vertex.chat` → `google.vertex` → `google`: the AI SDK appends the API flavour.
  for (let candidate = name; ; ) {
    const known = ALIASES.get(candidate);
    if (known) return known;
    const dot = candidate.lastIndexOf('.');
    if (dot <= 0) return name;
    candidate = candidate.slice(0, dot);
  }
}
