/**
 * The cost of one call as a cost limit sees it: an estimate before the call (the request's input
 * at ~4 characters per token × the model's input price) and the actual cost once the complete
 * response is known (its usage × the prices), read from the bytes the app got with the same codecs
 * and body decoding the capture uses.
 */
import { ResponseBodyObserver, bodyModeFor } from '../capture/response-body-observer.js';
import { headerValue, type ObservedResponse } from '../gate/local-response.js';
import { codecFor } from '../providers/codec-registry.js';
import type { LlmEndpoint, ResponseInfo } from '../providers/types.js';
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

/** What the answer cost, in cents: 0 for an error answer (providers do not bill those), undefined when unknown. */
export async function actualCents(endpoint: LlmEndpoint, requestModel: string | undefined, response: ObservedResponse): Promise<number | undefined> {
  if (response.status >= 400) return 0;
  const info = readResponse(endpoint, response);
  if (!info?.usage) return undefined;
  return costCents(endpoint.provider, info.model ?? requestModel, info.usage);
}

function readResponse(endpoint: LlmEndpoint, response: ObservedResponse): ResponseInfo | undefined {
  const codec = codecFor(endpoint.api);
  const mode = bodyModeFor(headerValue(response.headers, 'content-type'));
  const accumulator = mode !== 'json' || endpoint.urlStream ? codec.createStreamAccumulator(endpoint) : undefined;
  const observer = new ResponseBodyObserver(mode, headerValue(response.headers, 'content-encoding'), (e) => accumulator?.accept(e), { synchronous: true });
  for (const chunk of response.chunks) observer.write(chunk);
  void observer.end();
  if (accumulator && mode !== 'json') return accumulator.result();
  const body = parseJson(observer.bodyText() ?? '');
  if (body === undefined || body === null || typeof body !== 'object') return undefined;
  if (accumulator && Array.isArray(body)) {
    for (const item of body) accumulator.accept({ data: JSON.stringify(item) });
    return accumulator.result();
  }
  return codec.parseResponse(body, endpoint);
}
