/**
 * Recognition of LLM calls to hosts nobody named (issue 12): the request line, and a header where
 * the path alone is ambiguous, matched against the providers' wire formats. Every request the app
 * makes passes through `matchShape`, so a path that ends in none of the provider suffixes costs a
 * handful of `endsWith` checks and nothing else.
 *
 * The rule, in order (README "Recognition"):
 * - `…/openai/deployments/{d}/(chat/completions|completions|embeddings)`: Azure OpenAI.
 * - `…/chat/completions`, `…/completions`, `…/embeddings`; `…/v1/responses`, `…/openai/responses`:
 *   OpenAI-compatible; the provider comes from the model name (see providerForModel).
 * - `…/v1/messages` with an `anthropic-version` header: Anthropic Messages.
 * - `…/models/{m}:(generateContent|streamGenerateContent|embedContent|batchEmbedContents)`: Gemini
 *   (Vertex AI when the path names `/projects/…/locations/`).
 * - `…/model/{id}/(converse|converse-stream)`; `…/model/{id}/(invoke|invoke-with-response-stream)`
 *   when the model id is an Anthropic one: Bedrock.
 * - `/api/chat`, `/api/generate`, `/api/embed` on port 11434 or from an Ollama client
 *   (`User-Agent: ollama…`): Ollama's native API.
 */
import { GEN_AI_OPERATION, GEN_AI_PROVIDER } from '@tokentrace/semconv';
import { readRequestHeader } from '../context/request-header.js';
import type { HeaderShape } from '../context/tracking-headers.js';
import type { EndpointFormat } from '../types.js';
import type { ApiKind, LlmEndpoint, ModelOperation } from './types.js';
import { arr, obj } from './wire-json.js';

export type PathMatch = Pick<LlmEndpoint, 'api' | 'operation' | 'urlModel' | 'urlStream'>;

export interface ShapeMatch extends PathMatch {
  provider: string;
  providerFromModel?: boolean;
}

export const OLLAMA_PORT = 11434;

const AZURE_DEPLOYMENT = /\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/;
const GEMINI_METHOD = /\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;
const BEDROCK_CONVERSE = /\/model\/([^/]+)\/(converse|converse-stream)$/;
const BEDROCK_INVOKE = /\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

function endpointOf(api: ApiKind, operation: ModelOperation, urlModel?: string, urlStream?: boolean): PathMatch {
  return { api, operation, urlModel, urlStream };
}

/** The wire format's API for a path on a host whose format is known (host table, configured endpoint). */
export function matchPath(format: EndpointFormat, pathname: string): PathMatch | undefined {
  switch (format) {
    case 'azure-openai': {
      const m = AZURE_DEPLOYMENT.exec(pathname);
      if (m) return openAiApi(`/${m[2]}`, safeDecode(m[1]));
      return openAiApi(pathname);
    }
    case 'openai':
      return openAiApi(pathname);
    case 'anthropic':
      return pathname.endsWith('/v1/messages') || pathname === '/messages'
        ? endpointOf('anthropic.messages', GEN_AI_OPERATION.chat)
        : undefined;
    case 'gemini':
      return geminiApi(pathname);
    case 'bedrock':
      return bedrockApi(pathname);
    case 'ollama':
      return ollamaApi(pathname) ?? openAiApi(pathname);
  }
}

/** A provider path on an unknown host, or undefined (the common case: not an LLM call). */
export function matchShape(pathname: string, port: number, headers: HeaderShape): ShapeMatch | undefined {
  if (pathname.endsWith('completions') || pathname.endsWith('/embeddings')) {
    const azure = AZURE_DEPLOYMENT.exec(pathname);
    if (azure) return { ...openAiApi(`/${azure[2]}`, safeDecode(azure[1]))!, provider: GEN_AI_PROVIDER.azureOpenai };
    const api = openAiApi(pathname);
    return api && { ...api, provider: GEN_AI_PROVIDER.openai, providerFromModel: true };
  }
  if (pathname.endsWith('/responses')) {
    // `/responses` alone is a common REST noun; the Responses API sits under a version or `openai` segment.
    if (!pathname.endsWith('/v1/responses') && !pathname.endsWith('/openai/responses')) return undefined;
    return { ...endpointOf('openai.responses', GEN_AI_OPERATION.chat), provider: GEN_AI_PROVIDER.openai, providerFromModel: true };
  }
  if (pathname.endsWith('/v1/messages')) {
    // Chat and messaging APIs have /v1/messages too; Anthropic's clients always send this header.
    if (!readRequestHeader(headers, 'anthropic-version')) return undefined;
    return { ...endpointOf('anthropic.messages', GEN_AI_OPERATION.chat), provider: GEN_AI_PROVIDER.anthropic };
  }
  if (pathname.endsWith('Content') || pathname.endsWith('Contents')) {
    const api = geminiApi(pathname);
    if (!api) return undefined;
    const vertex = pathname.includes('/projects/') && pathname.includes('/locations/');
    return { ...api, provider: vertex ? GEN_AI_PROVIDER.gcpVertexAi : GEN_AI_PROVIDER.gcpGemini };
  }
  if (pathname.endsWith('converse') || pathname.endsWith('converse-stream') || pathname.endsWith('/invoke') || pathname.endsWith('-response-stream')) {
    const api = bedrockApi(pathname);
    return api && { ...api, provider: GEN_AI_PROVIDER.awsBedrock };
  }
  if (pathname.startsWith('/api/')) {
    const api = ollamaApi(pathname);
    if (!api) return undefined;
    // An app's own backend often has /api/chat; Ollama's port or client says it is Ollama.
    if (port !== OLLAMA_PORT && !/^ollama/i.test(readRequestHeader(headers, 'user-agent') ?? '')) return undefined;
    return { ...api, provider: GEN_AI_PROVIDER.ollama };
  }
  return undefined;
}

export function openAiApi(pathname: string, urlModel?: string): PathMatch | undefined {
  if (pathname.endsWith('/chat/completions')) return endpointOf('openai.chat_completions', GEN_AI_OPERATION.chat, urlModel);
  if (pathname.endsWith('/responses')) return endpointOf('openai.responses', GEN_AI_OPERATION.chat, urlModel);
  if (pathname.endsWith('/embeddings')) return endpointOf('openai.embeddings', GEN_AI_OPERATION.embeddings, urlModel);
  if (pathname.endsWith('/completions')) return endpointOf('openai.completions', GEN_AI_OPERATION.textCompletion, urlModel);
  return undefined;
}

function geminiApi(pathname: string): PathMatch | undefined {
  const m = GEMINI_METHOD.exec(pathname);
  if (!m) return undefined;
  const model = safeDecode(m[1]);
  if (m[2] === 'embedContent' || m[2] === 'batchEmbedContents') {
    return endpointOf('gemini.embed_content', GEN_AI_OPERATION.embeddings, model);
  }
  return endpointOf('gemini.generate_content', GEN_AI_OPERATION.generateContent, model, m[2] === 'streamGenerateContent');
}

function bedrockApi(pathname: string): PathMatch | undefined {
  const converse = BEDROCK_CONVERSE.exec(pathname);
  if (converse) return endpointOf('bedrock.converse', GEN_AI_OPERATION.chat, safeDecode(converse[1]), converse[2] === 'converse-stream');
  const invoke = BEDROCK_INVOKE.exec(pathname);
  if (!invoke) return undefined;
  const model = safeDecode(invoke[1]);
  // InvokeModel bodies are model-specific; only Anthropic's (the Messages API) is read.
  if (!isAnthropicBedrockModel(model)) return undefined;
  return endpointOf('bedrock.invoke_anthropic', GEN_AI_OPERATION.chat, model, invoke[2] === 'invoke-with-response-stream');
}

/** `anthropic.claude-…`, a cross-region profile `us.anthropic.claude-…`, or an ARN naming one. */
function isAnthropicBedrockModel(model: string): boolean {
  return model.startsWith('anthropic.') || model.includes('.anthropic.') || model.includes('/anthropic.');
}

function ollamaApi(pathname: string): PathMatch | undefined {
  switch (pathname) {
    case '/api/chat':
      return endpointOf('ollama.chat', GEN_AI_OPERATION.chat);
    case '/api/generate':
      return endpointOf('ollama.generate', GEN_AI_OPERATION.textCompletion);
    case '/api/embed':
      return endpointOf('ollama.embed', GEN_AI_OPERATION.embeddings);
    default:
      return undefined;
  }
}

/**
 * True when a request body is the request of the API its path names: how a call recognised by
 * shape proves it is an LLM call before anything is recorded as one.
 */
export function isWireRequest(api: ApiKind, body: unknown, urlModel: string | undefined): boolean {
  const b = obj(body);
  if (!b) return false;
  const model = typeof b.model === 'string' && b.model.length > 0;
  switch (api) {
    case 'openai.chat_completions':
      return (model || urlModel !== undefined) && arr(b.messages) !== undefined;
    case 'openai.completions':
      return (model || urlModel !== undefined) && b.prompt !== undefined;
    case 'openai.embeddings':
    case 'ollama.embed':
      return (model || urlModel !== undefined) && b.input !== undefined;
    case 'openai.responses':
      return model && b.input !== undefined;
    case 'anthropic.messages':
      return model && arr(b.messages) !== undefined;
    case 'bedrock.invoke_anthropic':
      return arr(b.messages) !== undefined;
    case 'bedrock.converse':
      return arr(b.messages) !== undefined;
    case 'gemini.generate_content':
      return b.contents !== undefined;
    case 'gemini.embed_content':
      return b.content !== undefined || arr(b.requests) !== undefined;
    case 'ollama.chat':
      return model && arr(b.messages) !== undefined;
    case 'ollama.generate':
      return model && typeof b.prompt === 'string';
  }
}

/**
 * `gen_ai.provider.name` of an OpenAI-compatible call to an unknown host, from its model name: a
 * routing prefix (`anthropic/claude-…`, as LiteLLM and OpenRouter spell it) or the model family;
 * `openai` (the wire format's flavour, as the conventions use the attribute) when neither says.
 */
export function providerForModel(model: string | undefined): string {
  if (!model) return GEN_AI_PROVIDER.openai;
  const m = model.toLowerCase();
  const slash = m.indexOf('/');
  if (slash > 0) {
    const routed = ROUTING_PREFIXES[m.slice(0, slash)];
    if (routed) return routed;
  }
  const name = slash > 0 ? m.slice(m.lastIndexOf('/') + 1) : m;
  for (const [prefix, provider] of FAMILY_PREFIXES) if (name.startsWith(prefix)) return provider;
  return GEN_AI_PROVIDER.openai;
}

const ROUTING_PREFIXES: Record<string, string> = {
  openai: GEN_AI_PROVIDER.openai,
  azure: GEN_AI_PROVIDER.azureOpenai,
  anthropic: GEN_AI_PROVIDER.anthropic,
  gemini: GEN_AI_PROVIDER.gcpGemini,
  google: GEN_AI_PROVIDER.gcpGemini,
  vertex_ai: GEN_AI_PROVIDER.gcpVertexAi,
  bedrock: GEN_AI_PROVIDER.awsBedrock,
  mistral: GEN_AI_PROVIDER.mistralAi,
  mistralai: GEN_AI_PROVIDER.mistralAi,
  deepseek: GEN_AI_PROVIDER.deepseek,
  'deepseek-ai': GEN_AI_PROVIDER.deepseek,
  groq: GEN_AI_PROVIDER.groq,
  xai: GEN_AI_PROVIDER.xAi,
  'x-ai': GEN_AI_PROVIDER.xAi,
  cohere: GEN_AI_PROVIDER.cohere,
  perplexity: GEN_AI_PROVIDER.perplexity,
  together_ai: GEN_AI_PROVIDER.togetherAi,
  fireworks_ai: GEN_AI_PROVIDER.fireworks,
  ollama: GEN_AI_PROVIDER.ollama,
  ollama_chat: GEN_AI_PROVIDER.ollama,
};

const FAMILY_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['gpt-', GEN_AI_PROVIDER.openai],
  ['chatgpt-', GEN_AI_PROVIDER.openai],
  ['text-embedding-', GEN_AI_PROVIDER.openai],
  ['claude-', GEN_AI_PROVIDER.anthropic],
  ['gemini-', GEN_AI_PROVIDER.gcpGemini],
  ['mistral-', GEN_AI_PROVIDER.mistralAi],
  ['codestral', GEN_AI_PROVIDER.mistralAi],
  ['deepseek-', GEN_AI_PROVIDER.deepseek],
  ['grok-', GEN_AI_PROVIDER.xAi],
  ['command-', GEN_AI_PROVIDER.cohere],
];

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
