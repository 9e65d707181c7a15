// Error bodies and credential checks of OpenAI and Azure OpenAI. OpenAI sends
// {error:{message,type,param,code}} (https://platform.openai.com/docs/guides/error-codes);
// Azure sends {error:{code,message}} with the status as a string code for throttling and auth.
import type { RecordedRequest } from './recorded-exchange.js';
import type { JsonPlan } from './response-writer.js';
import type { ScriptedError } from './scripted-reply.js';

const OPENAI_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests per min (RPM). Please try again in 1s.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

/** OpenAI's error response for a status. */
export function openAiErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  const fallback = OPENAI_DEFAULTS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `HTTP ${status}` };
  return {
    kind: 'json',
    status,
    body: {
      error: {
        message: error?.message ?? fallback.message,
        type: error?.type ?? fallback.type,
        param: error?.param ?? null,
        code: error?.code ?? fallback.code,
      },
    },
  };
}

/** Azure OpenAI's error response for a status. */
export function azureErrorResponse(status: number, error: ScriptedError | undefined): JsonPlan {
  const messages: Record<number, string> = {
    401: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    404: 'Resource not found',
    429: 'Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded call rate limit of your current AIServices S0 pricing tier. Please retry after 1 second.',
    500: 'The server had an error processing your request.',
  };
  const body: Record<string, unknown> = {
    code: error?.code ?? String(status),
    message: error?.message ?? messages[status] ?? `HTTP ${status}`,
  };
  if (error?.type !== undefined) body.type = error.type;
  if (error?.param !== undefined) body.param = error.param;
  return { kind: 'json', status, body: { error: body } };
}

/** OpenAI requires `Authorization: Bearer <key>`. */
export function checkOpenAiCredentials(request: RecordedRequest): JsonPlan | undefined {
  if (/^Bearer \S+/i.test(request.headers.authorization ?? '')) return undefined;
  return {
    kind: 'json',
    status: 401,
    body: {
      error: {
        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  };
}

/** Azure accepts an `api-key` header or a Microsoft Entra bearer token. */
export function checkAzureCredentials(request: RecordedRequest): JsonPlan | undefined {
  if (request.headers['api-key'] || /^Bearer \S+/i.test(request.headers.authorization ?? '')) return undefined;
  return azureErrorResponse(401, {
    message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  });
}
