/**
 * The answer to a call over its limit, made in the process instead of calling the provider: a 429
 * in the provider's own error format, so that the app's SDK raises its usual rate-limit error
 * (openai RateLimitError, @anthropic-ai/sdk RateLimitError, @google/genai ApiError 429), with
 * `Retry-After` and Helicone's `Helicone-RateLimit-*` headers.
 * Shapes: OpenAI https://platform.openai.com/docs/guides/error-codes, Anthropic
 * https://docs.anthropic.com/en/api/errors, Gemini https://ai.google.dev/gemini-api/docs/troubleshooting.
 */
import { HEADER_RATE_LIMIT_LIMIT, HEADER_RATE_LIMIT_POLICY, HEADER_RATE_LIMIT_REMAINING } from '@tokentrace/semconv';
import type { ApiKind } from '../providers/types.js';

export interface LimitReport {
  quota: number;
  remaining: number;
  policyText: string;
  /** Seconds until the window ends. */
  retryAfterSeconds: number;
}

export interface SyntheticResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** The informative headers, on a 429 and on every answer under a limit. */
export function rateLimitHeaders(report: LimitReport): Record<string, string> {
  return {
    [HEADER_RATE_LIMIT_LIMIT.toLowerCase()]: String(report.quota),
    [HEADER_RATE_LIMIT_REMAINING.toLowerCase()]: String(report.remaining),
    [HEADER_RATE_LIMIT_POLICY.toLowerCase()]: report.policyText,
  };
}

export function rateLimitedResponse(api: ApiKind, report: LimitReport): SyntheticResponse {
  const message = `Rate limit reached: ${report.policyText} (tokentrace, in-process). Try again in ${report.retryAfterSeconds}s.`;
  return {
    status: 429,
    headers: {
      'content-type': 'application/json',
      'retry-after': String(report.retryAfterSeconds),
      ...rateLimitHeaders(report),
      ...(api.startsWith('bedrock.') && { 'x-amzn-errortype': 'ThrottlingException' }),
    },
    body: JSON.stringify(errorBody(api, message)),
  };
}

function errorBody(api: ApiKind, message: string): unknown {
  switch (api) {
    case 'anthropic.messages':
      return { type: 'error', error: { type: 'rate_limit_error', message } };
    case 'gemini.generate_content':
    case 'gemini.embed_content':
      return { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED' } };
    case 'bedrock.converse':
    case 'bedrock.invoke_anthropic':
      return { message }; // with x-amzn-ErrorType ThrottlingException (below)
    case 'ollama.chat':
    case 'ollama.generate':
    case 'ollama.embed':
      return { error: message };
    default:
      return { error: { message, type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  }
}
