/**
 * What the generated traffic is made of: models with their list prices (USD per million tokens,
 * as in bench/src/query-bench-data.ts and the genai-prices catalog the pricing processor uses, so a
 * collector that prices the spans itself gets the same costs), features (custom property
 * `Feature`) with their share of requests, their service and model, and the prompts each feature
 * sends with their mean token counts.
 */

export interface ModelPrice {
  provider: string;
  model: string;
  inputMtok: number;
  outputMtok: number;
  cacheReadMtok: number;
  /** Part of the output that is reasoning (reasoning models). */
  reasoningShare: number;
}

export const MODELS: Record<string, ModelPrice> = {
  'gpt-4o': { provider: 'openai', model: 'gpt-4o', inputMtok: 2.5, outputMtok: 10, cacheReadMtok: 1.25, reasoningShare: 0 },
  'gpt-4o-mini': { provider: 'openai', model: 'gpt-4o-mini', inputMtok: 0.15, outputMtok: 0.6, cacheReadMtok: 0.075, reasoningShare: 0 },
  'gpt-4.1-mini': { provider: 'openai', model: 'gpt-4.1-mini', inputMtok: 0.4, outputMtok: 1.6, cacheReadMtok: 0.1, reasoningShare: 0 },
  'o3-mini': { provider: 'openai', model: 'o3-mini', inputMtok: 1.1, outputMtok: 4.4, cacheReadMtok: 0.55, reasoningShare: 0.6 },
  'claude-sonnet-4': { provider: 'anthropic', model: 'claude-sonnet-4', inputMtok: 3, outputMtok: 15, cacheReadMtok: 0.3, reasoningShare: 0 },
  'gemini-2.5-flash': { provider: 'gcp.gemini', model: 'gemini-2.5-flash', inputMtok: 0.3, outputMtok: 2.5, cacheReadMtok: 0.075, reasoningShare: 0 },
};

export interface PromptSpec {
  id: string;
  /** Share of its feature's requests. */
  share: number;
  inputTokens: number;
  outputTokens: number;
  /** Share of the input read from the provider's prompt cache. */
  cachedShare: number;
}

export interface FeatureSpec {
  name: string;
  /** Share of all requests. */
  share: number;
  service: string;
  model: string;
  prompts: PromptSpec[];
}

export const FEATURES: FeatureSpec[] = [
  {
    name: 'chat', share: 0.35, service: 'web-api', model: 'claude-sonnet-4', prompts: [
      { id: 'chat-assistant-v3', share: 0.6, inputTokens: 1800, outputTokens: 350, cachedShare: 0.5 },
      { id: 'chat-followup-v1', share: 0.4, inputTokens: 2600, outputTokens: 250, cachedShare: 0.6 },
    ],
  },
  {
    name: 'search', share: 0.25, service: 'search-svc', model: 'gpt-4o-mini', prompts: [
      { id: 'search-rewrite-v2', share: 0.5, inputTokens: 400, outputTokens: 60, cachedShare: 0 },
      { id: 'search-answer-v4', share: 0.5, inputTokens: 3200, outputTokens: 420, cachedShare: 0.3 },
    ],
  },
  {
    name: 'triage', share: 0.15, service: 'support-svc', model: 'gpt-4.1-mini', prompts: [
      { id: 'triage-classifier-v1', share: 0.6, inputTokens: 512, outputTokens: 12, cachedShare: 0 },
      { id: 'triage-router-v2', share: 0.4, inputTokens: 700, outputTokens: 30, cachedShare: 0 },
    ],
  },
  {
    name: 'summarize', share: 0.15, service: 'worker', model: 'gemini-2.5-flash', prompts: [
      { id: 'summarize-doc-v2', share: 0.5, inputTokens: 6000, outputTokens: 500, cachedShare: 0 },
      { id: 'summarize-thread-v1', share: 0.5, inputTokens: 3000, outputTokens: 300, cachedShare: 0 },
    ],
  },
  {
    name: 'codegen', share: 0.1, service: 'ide-plugin', model: 'o3-mini', prompts: [
      { id: 'codegen-plan-v1', share: 0.5, inputTokens: 2200, outputTokens: 900, cachedShare: 0.4 },
      { id: 'codegen-patch-v2', share: 0.5, inputTokens: 4000, outputTokens: 1200, cachedShare: 0.4 },
    ],
  },
];

/** Mean cost of one request of `prompt` on `model` (USD), from the mean token counts. */
export function meanRequestCost(prompt: PromptSpec, model: ModelPrice, inputFactor = 1, outputFactor = 1): number {
  const input = prompt.inputTokens * inputFactor;
  const cached = input * prompt.cachedShare;
  return ((input - cached) * model.inputMtok + cached * model.cacheReadMtok + prompt.outputTokens * outputFactor * model.outputMtok) / 1e6;
}
