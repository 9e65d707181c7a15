/**
 * Resolves the instrumentation's configuration once, from options and environment variables
 * (options win), into a complete object. Bad values throw an error naming the key.
 */
import type { CustomEndpoint, DetectionMode, EndpointFormat, RedactContentHook, TokentraceInstrumentationConfig } from './types.js';
import { parseHostPattern, type HostPattern } from './providers/host-pattern.js';
import { resolveCacheConfig, type ResolvedCacheConfig } from './cache/cache-config.js';
import { resolveLimitsConfig, type ResolvedLimitsConfig } from './limits/limit-config.js';
import { resolveRetryConfig, type ResolvedRetryConfig } from './retry/retry-config.js';

export const ENV_CAPTURE_MESSAGE_CONTENT = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';
export const ENV_MAX_CONTENT_LENGTH = 'TOKENTRACE_MAX_CONTENT_LENGTH';
export const ENV_OPENAI_COMPATIBLE_URLS = 'TOKENTRACE_OPENAI_COMPATIBLE_URLS';
/** Like the above, for any wire format: the format follows the provider name (`anthropic=http://...`). */
export const ENV_ENDPOINTS = 'TOKENTRACE_ENDPOINTS';

export const ENV_DETECTION = 'TOKENTRACE_DETECTION';
export const ENV_ALLOW_HOSTS = 'TOKENTRACE_ALLOW_HOSTS';
export const ENV_DENY_HOSTS = 'TOKENTRACE_DENY_HOSTS';
/** `true`: keep the generic HTTP client span under each GenAI span (off by default, issue 12 part 5). */
export const ENV_HTTP_SPANS = 'TOKENTRACE_HTTP_SPANS';
/** The conventions' switch between the default and the latest experimental GenAI conventions. */
export const ENV_SEMCONV_STABILITY_OPT_IN = 'OTEL_SEMCONV_STABILITY_OPT_IN';
export const SEMCONV_GEN_AI_LATEST_EXPERIMENTAL = 'gen_ai_latest_experimental';

export const DEFAULT_MAX_CONTENT_LENGTH = 32_768;
export const DEFAULT_DETECTION: DetectionMode = 'shape';
const DETECTION_MODES: readonly DetectionMode[] = ['shape', 'hosts'];

export interface ResolvedConfig {
  captureMessageContent: boolean;
  maxContentLength: number;
  redactContent?: RedactContentHook;
  endpoints: CustomEndpoint[];
  detection: DetectionMode;
  /** Empty: shape detection on every host. */
  allowHosts: HostPattern[];
  denyHosts: HostPattern[];
  /** OTEL_SEMCONV_STABILITY_OPT_IN lists gen_ai_latest_experimental: emit the latest experimental names only. */
  latestExperimentalSemconv: boolean;
  /** Keep the generic HTTP span under each GenAI span tokentrace owns; false: that span is not made. */
  httpSpans: boolean;
  estimateMissingUsage: boolean;
  /** How long a finished call waits to be completed in a batch (capture/pending-completions.ts). */
  completionBatchMs: number;
  /** The response cache (src/cache/cache-config.ts). */
  cache: ResolvedCacheConfig;
  retry: ResolvedRetryConfig;
  limits: ResolvedLimitsConfig;
}

export class ConfigError extends Error {
  readonly code = 'TOKENTRACE_INVALID_CONFIG';
  constructor(readonly key: string, expected: string, got: unknown) {
    super(`tokentrace: invalid ${key}: expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

const FORMATS: readonly EndpointFormat[] = ['openai', 'anthropic', 'gemini', 'bedrock', 'azure-openai', 'ollama'];

export function resolveConfig(
  options: TokentraceInstrumentationConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const endpoints = [
    ...parseEndpointList(env[ENV_OPENAI_COMPATIBLE_URLS]),
    ...parseEndpointList(env[ENV_ENDPOINTS]).map((e) => ({ ...e, format: formatForProvider(e.provider) })),
    ...(options.endpoints ?? []),
  ];
  endpoints.forEach((e, i) => validateEndpoint(e, `endpoints[${i}]`));
  const maxContentLength = options.maxContentLength ?? parseIntEnv(env, ENV_MAX_CONTENT_LENGTH) ?? DEFAULT_MAX_CONTENT_LENGTH;
  if (!Number.isInteger(maxContentLength) || maxContentLength < 64) {
    throw new ConfigError('maxContentLength', 'an integer >= 64', maxContentLength);
  }
  const detection = options.detection ?? (env[ENV_DETECTION]?.trim().toLowerCase() || DEFAULT_DETECTION);
  if (!DETECTION_MODES.includes(detection as DetectionMode)) {
    throw new ConfigError(options.detection !== undefined ? 'detection' : ENV_DETECTION, `one of ${DETECTION_MODES.join(', ')}`, detection);
  }
  return {
    captureMessageContent: options.captureMessageContent ?? captureContentFromEnv(env),
    maxContentLength,
    redactContent: options.redactContent,
    endpoints,
    detection: detection as DetectionMode,
    allowHosts: hostPatterns(options.allowHosts, 'allowHosts', env, ENV_ALLOW_HOSTS),
    denyHosts: hostPatterns(options.denyHosts, 'denyHosts', env, ENV_DENY_HOSTS),
    latestExperimentalSemconv: latestExperimentalFromEnv(env),
    httpSpans: options.httpSpans ?? parseBoolEnv(env, ENV_HTTP_SPANS) ?? false,
    estimateMissingUsage: options.estimateMissingUsage ?? true,
    completionBatchMs: completionBatchMs(options.completionBatchMs),
    cache: resolveCacheConfig(options.cache, env),
    retry: resolveRetryConfig(options.retry),
    limits: resolveLimitsConfig(options.limits, env),
  };
}

function completionBatchMs(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0 || value > 10_000) throw new ConfigError('completionBatchMs', 'a number of ms from 0 to 10000', value);
  return value;
}

/** OTEL_SEMCONV_STABILITY_OPT_IN is a comma-separated list; only gen_ai_latest_experimental concerns GenAI spans. */
export function latestExperimentalFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[ENV_SEMCONV_STABILITY_OPT_IN];
  if (!raw) return false;
  return raw.split(',').some((v) => v.trim().toLowerCase() === SEMCONV_GEN_AI_LATEST_EXPERIMENTAL);
}

/** Options win over the environment; each entry is validated, naming its index or the variable. */
function hostPatterns(option: readonly string[] | undefined, key: string, env: NodeJS.ProcessEnv, envKey: string): HostPattern[] {
  if (option !== undefined && !Array.isArray(option)) throw new ConfigError(key, 'an array of host names', option);
  const list = option ?? (env[envKey] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.map((entry, i) => {
    const pattern = typeof entry === 'string' ? parseHostPattern(entry) : undefined;
    if (!pattern) {
      throw new ConfigError(option !== undefined ? `${key}[${i}]` : envKey, 'a host name, host:port or *.suffix', entry);
    }
    return pattern;
  });
}

/** OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, false when unset; throws on a value that is not a boolean. */
export function captureContentFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return parseBoolEnv(env, ENV_CAPTURE_MESSAGE_CONTENT) ?? false;
}

/** `vllm=http://gpu:8000/v1, http://localhost:1234/v1` → endpoints (provider defaults to the format's). */
export function parseEndpointList(value: string | undefined): CustomEndpoint[] {
  if (!value?.trim()) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      // `provider=url`, but a bare URL may itself contain '=' in a query: only split before '://'.
      if (eq > 0 && eq < item.indexOf('://')) return { provider: item.slice(0, eq).trim(), baseUrl: item.slice(eq + 1).trim() };
      return { baseUrl: item };
    });
}

/** The wire format a provider speaks; unknown providers are assumed OpenAI-compatible. */
export function formatForProvider(provider: string | undefined): EndpointFormat {
  switch (provider) {
    case 'anthropic':
      return 'anthropic';
    case 'gcp.gemini':
    case 'gcp.vertex_ai':
      return 'gemini';
    case 'aws.bedrock':
      return 'bedrock';
    case 'azure.ai.openai':
      return 'azure-openai';
    case 'ollama':
      return 'ollama';
    default:
      return 'openai';
  }
}

function validateEndpoint(endpoint: CustomEndpoint, key: string): void {
  try {
    const url = new URL(endpoint.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`${key}.baseUrl (or ${ENV_OPENAI_COMPATIBLE_URLS})`, 'an http(s) URL', endpoint.baseUrl);
  }
  if (endpoint.format !== undefined && !FORMATS.includes(endpoint.format)) {
    throw new ConfigError(`${key}.format`, `one of ${FORMATS.join(', ')}`, endpoint.format);
  }
}

function parseBoolEnv(env: NodeJS.ProcessEnv, key: string): boolean | undefined {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(key, 'true or false', env[key]);
}

function parseIntEnv(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(key, 'an integer', raw);
  return n;
}
