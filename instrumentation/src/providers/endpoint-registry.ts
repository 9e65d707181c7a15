/**
 * Recognises LLM API calls from the request line (method, host, path), for every HTTP request the
 * app makes: the user's custom endpoints and the built-in table of provider hosts first (they name
 * the provider), then, on any other host, the provider wire formats' paths (wire-shape.ts), with
 * the allow and deny lists. This runs on the hot path of all outgoing traffic, so a miss costs one
 * Map lookup and a few string comparisons; headers are read only once a path matched.
 */
import { GEN_AI_PROVIDER } from '@tokentrace/semconv';
import type { HeaderShape } from '../context/tracking-headers.js';
import type { CustomEndpoint, DetectionMode, EndpointFormat } from '../types.js';
import { hostMatches, type HostPattern } from './host-pattern.js';
import type { LlmEndpoint } from './types.js';
import { matchPath, matchShape, OLLAMA_PORT } from './wire-shape.js';

export { matchPath } from './wire-shape.js';

/** The parts of an outgoing request that identify an endpoint. */
export interface RequestTarget {
  method: string;
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Path with query string, as sent. */
  path: string;
  /** The request headers as the client passed them; read only when a path is ambiguous. */
  headers?: HeaderShape;
}

export interface DetectionOptions {
  detection?: DetectionMode;
  allowHosts?: readonly HostPattern[];
  denyHosts?: readonly HostPattern[];
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

/** Ollama on its default port: its native API and its OpenAI-compatible one. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

interface CustomRule extends HostRule {
  origin: string;
  pathPrefix: string;
}

export class EndpointRegistry {
  private readonly custom: CustomRule[];
  private readonly byShape: boolean;
  private readonly allow: readonly HostPattern[];
  private readonly deny: readonly HostPattern[];

  constructor(customEndpoints: readonly CustomEndpoint[] = [], options: DetectionOptions = {}) {
    this.byShape = (options.detection ?? 'shape') === 'shape';
    this.allow = options.allowHosts ?? [];
    this.deny = options.denyHosts ?? [];
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
    const q = target.path.indexOf('?');
    const pathname = q === -1 ? target.path : target.path.slice(0, q);
    const rule = this.ruleFor(target);
    let endpoint: LlmEndpoint | undefined;
    if (rule) {
      // A named host speaks its own format: a path that is not one of its APIs is not an LLM call.
      const api = matchPath(rule.format, pathname);
      if (!api) return undefined;
      endpoint = { provider: rule.provider, serverAddress: target.hostname, serverPort: target.port, detection: 'host', ...api };
    } else if (this.byShape) {
      const shape = matchShape(pathname, target.port, target.headers);
      if (!shape) return undefined;
      if (this.allow.length > 0 && !hostMatches(this.allow, target.hostname, target.port)) return undefined;
      endpoint = { serverAddress: target.hostname, serverPort: target.port, detection: 'shape', ...shape };
    } else return undefined;
    if (this.deny.length > 0 && hostMatches(this.deny, target.hostname, target.port)) return undefined;
    return endpoint;
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
    if (target.port === OLLAMA_PORT && LOOPBACK.has(target.hostname)) return { provider: GEN_AI_PROVIDER.ollama, format: 'ollama' };
    return undefined;
  }
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
    case 'ollama':
      return GEN_AI_PROVIDER.ollama;
    case 'openai':
      return GEN_AI_PROVIDER.openai;
  }
}

export function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}
