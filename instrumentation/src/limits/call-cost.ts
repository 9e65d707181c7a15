/**
 * The cost of one call as a cost limit sees it: an estimate before the call (the request's input
 * at ~4 characters per token × the model's input price) and the actual cost once it ended (the
 * usage and model its span recorded × the prices; 0 for a failed call, which providers do not bill).
 */
import type { ObservedResponse } from '../gate/local-response.js';
import { codecFor } from '../providers/codec-registry.js';
import type { LlmEndpoint } from '../providers/types.js';
import { parseJson } from '../providers/wire-json.js';
import { costCents, estimateInputTokens } from './limit-prices.js';

/** The model the request names (or the URL), and its input text. */
export function readRequest(endpoint: LlmEndpoint, body: Buffer): { model?: string; inputText: string } {
  const json = parseJson(body.toString('utf8'));
  if (json === undefined) return { model: endpoint.urlModel, inputText: body.toString('utf8') };
  const request = codecFor(endpoint.api).parseRequest(json, endpoint);
  return { model: request.model ?? endpoint.urlModel, inputText: request.inputText };
}

export async function estimateCents(endpoint: LlmEndpoint, body: Buffer): Promise<number | undefined> {
  const { model, inputText } = readRequest(endpoint, body);
  return costCents(endpoint.provider, model, { inputTokens: estimateInputTokens(inputText), outputTokens: 0 });
}

/** What the call cost, in cents; undefined when unknown (no usage, a model the catalog does not price). */
export async function actualCents(endpoint: LlmEndpoint, requestModel: string | undefined, response: ObservedResponse): Promise<number | undefined> {
  const { errorType, usage, model } = response.call;
  if (errorType !== undefined || response.status >= 400) return 0;
  if (!usage) return undefined;
  return costCents(endpoint.provider, model ?? requestModel, usage);
}
