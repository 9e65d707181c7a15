// What a provider module contributes to the shared emulator server: the real host's routes, how
// each renders a scripted reply, the provider's error body and its credential check.
import type { RecordedRequest } from './recorded-exchange.js';
import type { JsonPlan, PlannedResponse } from './response-writer.js';
import type { ResolvedReply, ScriptedError } from './scripted-reply.js';

export type EmulatedProvider = 'openai' | 'azure-openai' | 'anthropic' | 'gemini' | 'bedrock' | 'ollama' | 'gateway';

/** What a route handler gets for one call. */
export interface RouteCall {
  request: RecordedRequest;
  /** Path parameters from the route template, percent-decoded. */
  params: Record<string, string>;
  /** The JSON request body ({} when empty). */
  body: Record<string, unknown>;
  reply: ResolvedReply;
}

export interface EmulatorRoute {
  /** Recorded as RecordedExchange.route. */
  name: string;
  /** Path template with `{param}` placeholders, e.g. `/v1beta/models/{model}:generateContent`. */
  path: string;
  handle(call: RouteCall): PlannedResponse;
}

export interface ProviderDialect {
  provider: EmulatedProvider;
  /** Human name for describe(), e.g. `OpenAI API`. */
  title: string;
  /** The host the emulator stands in for. */
  realHost: string;
  /** Appended to the server URL to get the SDK's base URL (`/v1` for OpenAI, `` for Anthropic). */
  sdkBasePath: string;
  routes: readonly EmulatorRoute[];
  /** Headers every response carries (request ids and the like). */
  responseHeaders(): Record<string, string>;
  errorResponse(status: number, error: ScriptedError | undefined): JsonPlan;
  /** The real API's rejection when credentials are missing, or undefined when present. */
  checkCredentials(request: RecordedRequest): JsonPlan | undefined;
}
