/**
 * The app's undici dispatch handler as the fetch capture hands it on: every method forwarded,
 * the response reported to the call after the handler got it (errors before). Both handler
 * styles: undici 6's (onHeaders, onData, onComplete, onError), which fetch uses on Node 22 and
 * 24, and undici 7's (onResponseStart, onResponseData, ...) for handlers written against it.
 */
import { recordCaptureError } from '../telemetry/guard.js';
import { handlerWrapper, type Handler, type Method } from './handler-wrapper.js';
import type { HeaderLookup, LlmCall } from './llm-call.js';
import { objectHeaderLookup } from './response-headers.js';

class ObservedHandler {
  constructor(
    readonly handler: Handler,
    readonly call: LlmCall,
  ) {}
}

// `arguments` handed on as they are: no rest array made per call or chunk.
export const observeHandler = handlerWrapper(ObservedHandler, {
  onHeaders(status: number, rawHeaders: unknown) {
    responseStarted(this.call, status, rawHeaderLookup(rawHeaders));
    return (this.handler.onHeaders as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onData(chunk: Uint8Array) {
    const result = (this.handler.onData as Method).apply(this.handler, arguments as unknown as unknown[]);
    this.call.onResponseChunk(chunk);
    return result;
  },
  onComplete() {
    const result = (this.handler.onComplete as Method).apply(this.handler, arguments as unknown as unknown[]);
    responseEnded(this.call);
    return result;
  },
  onError(err: unknown) {
    failed(this.call, err);
    return (this.handler.onError as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseStart(_controller: unknown, status: number, headers: unknown) {
    responseStarted(this.call, status, objectHeaderLookup(headers));
    return (this.handler.onResponseStart as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseData(_controller: unknown, chunk: Uint8Array) {
    const result = (this.handler.onResponseData as Method).apply(this.handler, arguments as unknown as unknown[]);
    this.call.onResponseChunk(chunk);
    return result;
  },
  onResponseEnd() {
    const result = (this.handler.onResponseEnd as Method).apply(this.handler, arguments as unknown as unknown[]);
    responseEnded(this.call);
    return result;
  },
  onResponseError(_controller: unknown, err: unknown) {
    failed(this.call, err);
    return (this.handler.onResponseError as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
});

function responseStarted(call: LlmCall, status: number, header: HeaderLookup): void {
  try {
    call.onResponseStart(status, header);
  } catch (err) {
    recordCaptureError('response headers', err);
  }
}

function responseEnded(call: LlmCall): void {
  try {
    call.onResponseEnd();
  } catch (err) {
    recordCaptureError('response end', err);
  }
}

function failed(call: LlmCall, err: unknown): void {
  try {
    call.onError(err);
  } catch (e) {
    recordCaptureError('request error', e);
  }
}

/** One header from undici's raw headers (`[name, value, ...]`, Buffers or strings); `name` is lower case. */
export function rawHeaderLookup(raw: unknown): HeaderLookup {
  return (name) => {
    if (!Array.isArray(raw)) return undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const item = raw[i] as unknown;
      // Names are ASCII: a Buffer's length is its text's; a Buffer is compared as bytes, not decoded.
      if (item instanceof Uint8Array ? isAsciiName(item, name) : String(item).toLowerCase() === name) return String(raw[i + 1]);
    }
    return undefined;
  };
}

function isAsciiName(bytes: Uint8Array, name: string): boolean {
  if (bytes.length !== name.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== name.charCodeAt(i)) return false;
  }
  return true;
}
