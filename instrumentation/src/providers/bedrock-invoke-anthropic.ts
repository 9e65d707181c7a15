/**
 * Codec for Bedrock InvokeModel with an Anthropic model (POST /model/{id}/invoke and
 * /invoke-with-response-stream): the body is the Anthropic Messages request without `model` (the
 * URL names it) and with `anthropic_version`; the answer is a Messages response. The stream is an
 * AWS event stream whose `chunk` events carry `{"bytes": base64}`, each the JSON of one Messages
 * stream event, so both are read by the Anthropic codec.
 */
import { anthropicMessagesCodec } from './anthropic-messages.js';
import type { ProviderCodec, ResponseInfo, StreamAccumulator, StreamEvent } from './types.js';
import { nonEmpty, obj, parseJson, str } from './wire-json.js';

export const bedrockInvokeAnthropicCodec: ProviderCodec = {
  api: 'bedrock.invoke_anthropic',
  parseRequest: (body, endpoint) => anthropicMessagesCodec.parseRequest(body, endpoint),
  parseResponse: (body, endpoint) => anthropicMessagesCodec.parseResponse(body, endpoint),
  createStreamAccumulator: (endpoint) => new InvokeStreamAccumulator(anthropicMessagesCodec.createStreamAccumulator(endpoint)),
};

class InvokeStreamAccumulator implements StreamAccumulator {
  private exception?: { type: string; message?: string };

  constructor(private readonly inner: StreamAccumulator) {}

  accept(event: StreamEvent): void {
    if (event.exception) {
      this.exception = { type: event.event ?? 'exception', message: str(obj(parseJson(event.data))?.message) };
      return;
    }
    const bytes = nonEmpty(obj(parseJson(event.data))?.bytes);
    if (bytes) this.inner.accept({ data: Buffer.from(bytes, 'base64').toString('utf8') });
  }

  result(): ResponseInfo {
    const info = this.inner.result();
    if (this.exception) info.error = this.exception;
    return info;
  }

  isComplete(): boolean {
    return this.exception !== undefined || this.inner.isComplete();
  }
}
