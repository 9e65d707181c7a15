/**
 * Recognises LLM API calls from the request line alone (method, host, path), for every HTTP
 * request the app makes: the built-in table of provider hosts plus the user's custom endpoints.
 * This runs on the hot path of all outgoing traffic, so a miss costs one Map lookup or a few
 * string comparisons.
 */
import { GEN_AI_OPERATION, GEN_AI_PROVIDER } from '@tokentrace/semconv';
import type { CustomEndpoint, EndpointFormat } from '../types.js';
import type { ApiKind, LlmEndpoint, ModelOperation } from './types.js';

/** The parts of an outgoing request that identify an endpoint. */
export interface RequestTarget {
  method: string;
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Path with query string, as sent. */
  path: string;
}

interface HostRule {
  provider: string;
  format: EndpointFormat;
}

const EXACT_HOSTS = new Map<string, HostRule>([
  ['api.openai.com', { provider: GEN_AI_PROVIDER.openai, format: 'openai' }],
  ['api.anthropic.com', { provider: GEN_AI_PROVIDER.anthropic, format: 'anthropic' }],
  ['generativelanguage.googleapis.com', { provider: GEN_AI_PROVIDER.gcpGemini, format: 'gemini' }],
  ['aiplatform.googleapis.com', { provider: GEN_AI_PROVIDER.gcpVertexAi, format: 'gemini' }],
  ['api.groq.com', { provider: GEN_AI_PROVIDER.groq, format: 'openai' }],
  ['api.together.xyz', { provider: GEN_AI_PROVIDER.togetherAi, format: 'openai' }],
  ['api.together.ai', { provider: GEN_AI_PROVIDER.togetherAi, format: 'openai' }],
  ['api.deepseek.com', { provider: GEN_AI_PROVIDER.deepseek, format: 'openai' }],
  ['api.mistral.ai', { provider: GEN_AI_PROVIDER.mistralAi, format: 'openai' }],
  ['openrouter.ai', { provider: GEN_AI_PROVIDER.openrouter, format: 'openai' }],
  ['api.x.ai', { provider: GEN_AI_PROVIDER.xAi, format: 'openai' }],
  ['api.perplexity.ai', { provider: GEN_AI_PROVIDER.perplexity, format: 'openai' }],
  ['api.fireworks.ai', { provider: GEN_AI_PROVIDER.fireworks, format: 'openai' }],
]);

/** Host suffixes for per-resource and per-region hosts. */
const SUFFIX_HOSTS: ReadonlyArray<readonly [string, HostRule]> = [
  ['.openai.azure.com', { provider: GEN_AI_PROVIDER.azureOpenai, format: 'azure-openai' }],
  ['.cognitiveservices.azure.com', { provider: GEN_AI_PROVIDER.azureOpenai, format: 'azure-openai' }],
  ['.services.ai.azure.com', { provider: GEN_AI_PROVIDER.azureOpenai, format: 'azure-openai' }],
  ['-aiplatform.googleapis.com', { provider: GEN_AI_PROVIDER.gcpVertexAi, format: 'gemini' }],
  ['.amazonaws.com', { provider: GEN_AI_PROVIDER.awsBedrock, format: 'bedrock' }],
];

/** Ollama's OpenAI-compatible API on its default port. */
const OLLAMA_PORT = 11434;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

interface CustomRule extends HostRule {
  origin: string;
  pathPrefix: string;
}

export class EndpointRegistry {
  private readonly custom: CustomRule[];

  constructor(customEndpoints: readonly CustomEndpoint[] = []) {
    this.custom = customEndpoints.map((e) => {
      const url = new URL(e.baseUrl);
      const format = e.format ?? 'openai';
      return {
        origin: `${url.protocol}//${url.hostname}:${url.port || defaultPort(url.protocol)}`,
        pathPrefix: url.pathname.replace(/\/+$/, ''),
        format,
        provider: e.provider ?? defaultProvider(format),
      };
    });
  }

  match(target: RequestTarget): LlmEndpoint | undefined {
    if (target.method !== 'POST') return undefined;
    const rule = this.ruleFor(target);
    if (!rule) return undefined;
    const q = target.path.indexOf('?');
    const pathname = q === -1 ? target.path : target.path.slice(0, q);
    const api = matchPath(rule.format, pathname);
    if (!api) return undefined;
    return { provider: rule.provider, serverAddress: target.hostname, serverPort: target.port, ...api };
  }

  private ruleFor(target: RequestTarget): HostRule | undefined {
    if (this.custom.length > 0) {
      const origin = `${target.protocol}//${target.hostname}:${target.port}`;
      for (const rule of this.custom) {
        if (rule.origin === origin && target.path.startsWith(rule.pathPrefix)) return rule;
      }
    }
    const exact = EXACT_HOSTS.get(target.hostname);
    if (exact) return exact;
    for (const [suffix, rule] of SUFFIX_HOSTS) {
      if (target.hostname.endsWith(suffix)) {
        if (rule.format === 'bedrock' && !target.hostname.startsWith('bedrock-runtime')) return undefined;
        return rule;
      }
    }
    if (target.port === OLLAMA_PORT && LOOPBACK.has(target.hostname)) return { provider: GEN_AI_PROVIDER.ollama, format: 'openai' };
    return undefined;
  }
}

type PathMatch = Pick<LlmEndpoint, 'api' | 'operation' | 'urlModel' | 'urlStream'>;

function endpointOf(api: ApiKind, operation: ModelOperation, urlModel?: string, urlStream?: boolean): PathMatch {
  return { api, operation, urlModel, urlStream };
}

const AZURE_DEPLOYMENT = /\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/;
const GEMINI_METHOD = /\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;
const BEDROCK_CONVERSE = /\/model\/([^/]+)\/(converse|converse-stream)$/;

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
    case 'gemini': {
      const m = GEMINI_METHOD.exec(pathname);
      if (!m) return undefined;
      const model = safeDecode(m[1]);
      if (m[2] === 'embedContent' || m[2] === 'batchEmbedContents') {
        return endpointOf('gemini.embed_content', GEN_AI_OPERATION.embeddings, model);
      }
      return endpointOf('gemini.generate_content', GEN_AI_OPERATION.generateContent, model, m[2] === 'streamGenerateContent');
    }
    case 'bedrock': {
      const m = BEDROCK_CONVERSE.exec(pathname);
      if (!m) return undefined;
      return endpointOf('bedrock.converse', GEN_AI_OPERATION.chat, safeDecode(m[1]), m[2] === 'converse-stream');
    }
  }
}

function openAiApi(pathname: string, urlModel?: string): PathMatch | undefined {
  if (pathname.endsWith('/chat/completions')) return endpointOf('openai.chat_completions', GEN_AI_OPERATION.chat, urlModel);
  if (pathname.endsWith('/responses')) return endpointOf('openai.responses', GEN_AI_OPERATION.chat, urlModel);
  if (pathname.endsWith('/embeddings')) return endpointOf('openai.embeddings', GEN_AI_OPERATION.embeddings, urlModel);
  if (pathname.endsWith('/completions')) return endpointOf('openai.completions', GEN_AI_OPERATION.textCompletion, urlModel);
  return undefined;
}

function defaultProvider(format: EndpointFormat): string {
  switch (format) {
    case 'anthropic':
      return GEN_AI_PROVIDER.anthropic;
    case 'gemini':
      return GEN_AI_PROVIDER.gcpGemini;
    case 'bedrock':
      return GEN_AI_PROVIDER.awsBedrock;
    case 'azure-openai':
      return GEN_AI_PROVIDER.azureOpenai;
    case 'openai':
      return GEN_AI_PROVIDER.openai;
  }
}

export function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
