/**
 * The life of one captured LLM call, whichever HTTP client carried it: the GenAI CLIENT span is
 * opened when the request starts (under tokentrace's own SDK as a plain object the SDK turns into
 * its span at the end, sdk/deferred-span.ts), request-body bytes are copied as they are sent, response bytes
 * are observed as they pass, and the span is completed (attributes, usage, errors, TTFT, metrics,
 * optional content) when the body ends or the request fails. Every step is guarded: a failure
 * here is recorded on the span and never reaches the app.
 *
 * Only bookkeeping happens while the app waits (copying references, timestamps); parsing,
 * decoding and span completion run later, in a setImmediate, so the app gets each response
 * chunk, and its first chunk above all, as soon as it would without the instrumentation.
 *
 * When another instrumentation already traces the call, the call runs on that span, borrowed:
 * no second span, only the attributes it lacks, and the metrics. Completion is then immediate and
 * synchronous, compressed bodies included, because the owner ends its span as soon as the app has
 * the body.
 *
 * A call recognised by its path alone, on a host nobody named (endpoint.detection `shape`), opens
 * a plain `POST` CLIENT span and becomes a GenAI span only once its request body is the wire
 * format's request (isWireRequest): a lookalike path on some other API leaves that plain span,
 * with no gen_ai.* attribute, no error and no GenAI metrics.
 *
 * A 2xx answer that is no answer (empty, truncated or not JSON, an HTML page) is an error,
 * `error.type` `invalid_response`: the app's SDK throws on it.
 */
import { SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  ATTR_TOKENTRACE_EMBEDDINGS_INPUT,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TOKENTRACE_CONTENT_TRUNCATED,
  ATTR_TOKENTRACE_USAGE_ESTIMATED,
} from '@tokentrace/semconv';
import type { ResolvedConfig } from '../config.js';
import { propagationHeaders } from '../context/trace-propagation.js';
import { codecFor } from '../providers/codec-registry.js';
import { isWireRequest, providerForModel } from '../providers/wire-shape.js';
import { parseJson } from '../providers/wire-json.js';
import { SkimmedStreamAccumulator } from '../providers/skimmed-stream.js';
import type { LlmEndpoint, ProviderCodec, RequestInfo, ResponseInfo, StreamAccumulator, StreamEvent, Usage } from '../providers/types.js';
import { serializeContent } from '../telemetry/content-capture.js';
import {
  endpointAttributes,
  setRequestAttributes,
  setResponseAttributes,
  setUsageAttributes,
  trackingAttributes,
} from '../telemetry/genai-span-attributes.js';
import { classifyCallError, isAbortError, recordCallError } from '../telemetry/call-error.js';
import { metricAttributes, type GenAiMetrics } from '../telemetry/genai-metrics.js';
import { guard, recordCaptureError } from '../telemetry/guard.js';
import { countTokens } from '../telemetry/token-estimator.js';
import type { ContentKind, TrackingContext } from '../types.js';
import type { GateChain } from '../gate/gate-chain.js';
import type { DeferredSpans } from '../sdk/deferred-span.js';
import { borrowedSpan } from './borrowed-span.js';
import { markCallInProgress } from './call-in-progress.js';
import { scheduleCompletion } from './pending-completions.js';
import { isRetryableStatus, type ResendTracker } from './resend-count.js';
import { bodyModeFor, MAX_JSON_BODY_BYTES, ResponseBodyObserver, utf8Text, type BodyMode } from './response-body-observer.js';

/** Request bodies larger than this are passed through without being inspected. */
const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
/**
 * A stream of our own span is decoded once this much of it is waiting, else in its completion:
 * not in a turn of its own after each chunk (issue 12: the last chunks' decoding then ran before
 * the app's next response could be read). The chunks are the app's own, referenced, not copied.
 */
const STREAM_DRAIN_BYTES = 64 * 1024;
export interface CaptureDeps {
  tracer: Tracer;
  metrics: GenAiMetrics;
  config: ResolvedConfig;
  resends: ResendTracker;
  /** Request gates (cache, limits); src/gate/. */
  gates?: GateChain;
  /** Under tokentrace's own SDK: our spans are made by the SDK when they end (sdk/deferred-span.ts). */
  deferredSpans?: DeferredSpans;
}

/** Which attempt of a call this request is (resend-count.ts). */
export interface AttemptInfo {
  /** From the SDK's retry-count header; undefined when it sends none. */
  resendCount: number | undefined;
  /** Where a resend of this request comes from: URL and parent span. */
  key: string;
}

export type HeaderLookup = (name: string) => string | undefined;

/** How a call ended, as its span says: the request gates' observers get it with the response. */
export interface CallResult {
  /** The span's `error.type`, when the call failed (`NOT_AN_LLM_CALL`: a lookalike, no GenAI span). */
  errorType?: string;
  usage?: Usage;
  model?: string;
}

export const NOT_AN_LLM_CALL = 'not_an_llm_call';

export class LlmCall {
  /**
   * Context in which the HTTP client must run: its own span becomes our child or, without
   * `httpSpans`, is not made (tracing suppressed).
   */
  readonly context: Context;
  /** Trace-context headers the capture adds to the request, when no HTTP instrumentation will. */
  readonly propagationHeaders?: Record<string, string>;
  /** The call's span; request gates record their decisions on it. */
  readonly span: Span;
  /**
   * Set by a gate that answered with a stored answer (a cache hit): the usage the answer reports
   * was not billed again, so it is handed to this instead of becoming the span's gen_ai.usage.
   */
  replayedUsage?: (span: Span, usage: Usage) => void;
  /**
   * Set by the request gates: told how the call ended, as soon as the span knows (before usage is
   * estimated), with completion run at once at the response's end rather than in a setImmediate,
   * so that a gate (the cache) acts before the app's next call (src/gate/gate-observation.ts).
   */
  onCompleted?: (result: CallResult) => void;
  completeAtOnce = false;
  /** False when the span is another instrumentation's (see borrowedSpan). */
  private readonly owned: boolean;
  private readonly codec: ProviderCodec;
  private readonly startedAt = performance.now();
  private endpoint: LlmEndpoint;
  /** False until a call recognised by shape proved to be an LLM call; its span carries no GenAI attribute until then. */
  private labelled: boolean;
  /** A call recognised by shape whose request is not an LLM request: nothing is recorded for it. */
  private rejected = false;
  readonly tracking: TrackingContext | undefined;
  private requestChunks: Buffer[] | undefined = [];
  private requestBytes = 0;
  /** The request body as sent, kept until completion to recognise a resend. */
  private requestText?: string;
  private request?: RequestInfo;
  private status = 0;
  private contentType?: string;
  private contentEncoding?: string;
  /** Set when the response starts; the observer that decodes the body is made later, off the app's path. */
  private bodyMode?: BodyMode;
  private observer?: ResponseBodyObserver;
  private observerFailed = false;
  private accumulator?: StreamAccumulator;
  /** The accumulator when it skims (the same object): its result has no output, wholeResult() has. */
  private skimmed?: SkimmedStreamAccumulator;
  private firstChunkAt?: number;
  private pendingChunks: Uint8Array[] = [];
  private pendingBytes = 0;
  private drainScheduled = false;
  private requestBodyComplete = false;
  private requestParsed = false;
  private finished = false;

  constructor(
    private readonly deps: CaptureDeps,
    endpoint: LlmEndpoint,
    tracking: TrackingContext | undefined,
    parent: Context,
    private readonly attempt: AttemptInfo,
    /** The span another instrumentation opened for this call, if any. */
    foreign?: Span,
  ) {
    this.endpoint = endpoint;
    this.tracking = tracking;
    this.codec = codecFor(endpoint.api);
    this.owned = foreign === undefined;
    // Inside another instrumentation's model-call span, the call is an LLM call whatever its host.
    this.labelled = endpoint.detection === 'host' || foreign !== undefined;
    const attributes: Attributes = this.labelled
      ? tracking
        ? Object.assign(endpointAttributes(endpoint), trackingAttributes(tracking))
        : endpointAttributes(endpoint)
      : { [ATTR_SERVER_ADDRESS]: endpoint.serverAddress, [ATTR_SERVER_PORT]: endpoint.serverPort };
    // The conventions set it only on a resent request; known at start when the SDK says it.
    if (attempt.resendCount) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = attempt.resendCount;
    if (foreign) {
      this.span = borrowedSpan(foreign);
      this.span.setAttributes(attributes);
      this.context = markCallInProgress(parent);
    } else {
      const name = this.labelled ? spanName(endpoint.operation, endpoint.urlModel) : UNLABELLED_SPAN_NAME;
      this.span = deps.deferredSpans
        ? deps.deferredSpans.start(deps.tracer, name, SpanKind.CLIENT, attributes, parent, this.startedAt)
        : deps.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
      const own = trace.setSpan(parent, this.span);
      if (deps.config.httpSpans) this.context = markCallInProgress(own);
      else {
        // Our span is the call's client span: the HTTP instrumentations make none under it (the
        // trace context they would have sent is sent by the capture, naming our span).
        this.context = markCallInProgress(suppressTracing(own));
        this.propagationHeaders = propagationHeaders(own);
      }
    }
  }

  onRequestBodyChunk(chunk: Uint8Array | string, encoding?: BufferEncoding): void {
    if (!this.requestChunks) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk);
    this.requestBytes += buf.length;
    if (this.requestBytes > MAX_REQUEST_BODY_BYTES) {
      this.requestChunks = undefined;
      recordCaptureError('request body', new Error(`larger than ${MAX_REQUEST_BODY_BYTES} bytes; not inspected`), this.span);
      return;
    }
    this.requestChunks.push(buf);
  }

  /** The request body was sent in full; it is parsed later, off the app's path. */
  onRequestBodyEnd(): void {
    this.requestBodyComplete = true;
  }

  /**
   * Only what the headers say is noted here, before the app gets them: the decoders (text decoder,
   * SSE or event-stream framing, the codec's accumulator) are made with the first drain, off the
   * path on which the app waits for its response and first chunk.
   */
  onResponseStart(status: number, header: HeaderLookup): void {
    try {
      this.status = status;
      this.contentType = header('content-type');
      this.contentEncoding = header('content-encoding');
      this.bodyMode = bodyModeFor(this.contentType);
    } catch (err) {
      recordCaptureError('response headers', err, this.span);
    }
  }

  /** The body's observer (and a stream's accumulator), made on first use; undefined before the response started or once decoding failed. */
  private bodyObserver(): ResponseBodyObserver | undefined {
    if (this.observer || this.bodyMode === undefined || this.observerFailed) return this.observer;
    const mode = this.bodyMode;
    try {
      if (this.isStreamBody()) this.accumulator = this.streamAccumulator();
      // A borrowed span's owner ends it once the app has the body: decoding must not outlive that.
      this.observer = new ResponseBodyObserver(mode, this.contentEncoding, (event) => this.onStreamEvent(event), {
        synchronous: !this.owned,
      });
    } catch (err) {
      this.observerFailed = true;
      recordCaptureError('response headers', err, this.span);
    }
    return this.observer;
  }

  /** The codec's accumulator; one that skips output-only events when the output is not captured (skimmed-stream.ts). */
  private streamAccumulator(): StreamAccumulator {
    const { codec, endpoint } = this;
    const isOutputOnly = codec.isOutputOnly;
    const accumulator = codec.createStreamAccumulator(endpoint);
    if (!isOutputOnly || this.deps.config.captureMessageContent) return accumulator;
    this.skimmed = new SkimmedStreamAccumulator(accumulator, () => codec.createStreamAccumulator(endpoint), isOutputOnly);
    return this.skimmed;
  }

  /**
   * Called for each response body chunk right after the app's own handler took it: a timestamp
   * (the first chunk's) and a reference, nothing else. Decoding runs later, in a setImmediate,
   * after the app's own microtasks have handed the chunk on: for a stream of our own span, in its
   * completion or each time STREAM_DRAIN_BYTES have come; for a borrowed or gate-observed one
   * (completed at once, at the end) as it comes; a JSON body only at its end, unless it grows
   * past what would be kept anyway.
   */
  onResponseChunk(chunk: Uint8Array): void {
    if (this.finished || this.bodyMode === undefined || this.observerFailed) return;
    if (this.firstChunkAt === undefined) this.firstChunkAt = performance.now();
    this.pendingChunks.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.bodyMode === 'json' && this.pendingBytes <= MAX_JSON_BODY_BYTES) return;
    if (this.isDeferred() && this.pendingBytes < STREAM_DRAIN_BYTES) return;
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** The body ended normally. Completion may finish asynchronously (decompression, tokenizer). */
  onResponseEnd(): void {
    if (this.finished) return;
    this.finished = true;
    const endedAt = performance.now();
    this.schedule(() => this.complete(endedAt, undefined).catch((err) => this.forceEnd(err, endedAt)));
  }

  /**
   * The request failed, was aborted, or the connection broke mid-stream. An abort after the
   * stream's last event is no failure (see abortedAfterLastEvent).
   */
  onError(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const endedAt = performance.now();
    this.schedule(() => this.complete(endedAt, err).catch((e) => this.forceEnd(e, endedAt)));
  }

  /**
   * Off the app's path for our own span (tracked, so that a shutdown waits for it); at once for a
   * borrowed one, before its owner ends it.
   */
  private schedule(completion: () => Promise<void>): void {
    if (this.isDeferred()) scheduleCompletion(completion, this.deps.config.completionBatchMs, this.pendingBytes + this.requestBytes);
    else void completion();
  }

  private isDeferred(): boolean {
    return this.owned && !this.completeAtOnce;
  }

  /** Feeds the chunks received so far to the decoder (made on the first drain). */
  private drain(): void {
    this.drainScheduled = false;
    const bytes = this.pendingBytes;
    this.pendingBytes = 0;
    const observer = this.bodyObserver();
    const chunks = this.pendingChunks;
    if (chunks.length === 0 || !observer) return;
    this.pendingChunks = [];
    try {
      // One write of the chunks joined: one text decode and one framing pass for a whole stream,
      // not one per chunk (a stream decoded in its completion has all its chunks here).
      observer.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes));
    } catch (err) {
      recordCaptureError('response body', err, this.span);
      observer.destroy();
      this.observer = undefined;
      this.observerFailed = true;
    }
  }

  private parseRequest(): void {
    if (this.requestParsed) return;
    this.requestParsed = true;
    const chunks = this.requestChunks;
    this.requestChunks = undefined;
    if (chunks && this.requestBodyComplete) this.readRequest(chunks); // else too large, or the upload was cut short
    if (!this.labelled) this.rejected = true;
  }

  private readRequest(chunks: Buffer[]): void {
    guard('request body', () => {
      const text = utf8Text(chunks, this.requestBytes);
      this.requestText = text;
      const body = text ? parseJson(text) : undefined;
      if (!this.labelled) {
        if (!isWireRequest(this.endpoint.api, body, this.endpoint.urlModel)) return;
        this.label(body);
      }
      if (text && body === undefined) throw new Error('request body is not JSON');
      const request = this.codec.parseRequest(body, this.endpoint);
      this.request = request;
      setRequestAttributes(this.span, request, this.endpoint);
      const model = request.model ?? this.endpoint.urlModel;
      if (model) this.span.updateName(spanName(this.endpoint.operation, model));
      if (this.deps.config.captureMessageContent) {
        this.captureContent(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, request.systemInstructions, 'system');
        this.captureContent(ATTR_GEN_AI_INPUT_MESSAGES, request.inputMessages, 'input');
        this.captureContent(ATTR_TOKENTRACE_EMBEDDINGS_INPUT, request.embeddingInputs, 'embeddings');
      }
    }, this.span);
  }

  /** A call recognised by shape proved to be an LLM call: it gets the attributes a host-matched call starts with. */
  private label(body: unknown): void {
    if (this.endpoint.providerFromModel) {
      const model = (body as { model?: unknown }).model;
      this.endpoint = { ...this.endpoint, provider: providerForModel(typeof model === 'string' ? model : undefined) };
    }
    this.labelled = true;
    this.span.setAttributes({ ...endpointAttributes(this.endpoint), ...trackingAttributes(this.tracking) });
    this.span.updateName(spanName(this.endpoint.operation, this.endpoint.urlModel));
  }

  private onStreamEvent(event: StreamEvent): void {
    this.accumulator?.accept(event);
  }

  private async complete(endedAt: number, transportError: unknown): Promise<void> {
    const span = this.span;
    this.parseRequest();
    // What the generic HTTP span (not made by default) would have said that the conventions' attributes do not.
    if (this.owned && this.status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, this.status);
    if (this.rejected) {
      // Not an LLM call after all: the plain span ends as it is, nothing else is recorded.
      this.pendingChunks = [];
      this.observer?.destroy();
      span.end(endedAt);
      guard('gate observer', () => this.onCompleted?.({ errorType: NOT_AN_LLM_CALL }));
      return;
    }
    this.drain();
    const afterLastEvent = this.abortedAfterLastEvent(transportError);
    // Awaited only when there is decoding to wait for: a borrowed span completes synchronously.
    const failure = (typeof afterLastEvent === 'boolean' ? afterLastEvent : await afterLastEvent) ? undefined : transportError;
    if (transportError) this.observer?.destroy();
    else if (this.observer) {
      try {
        const decoding = this.observer.end();
        if (decoding) await decoding; // only compressed bodies finish asynchronously
      } catch (err) {
        recordCaptureError('response body decoding', err, span);
      }
    }
    const read = guard('response body', () => this.readResponse(transportError !== undefined), span);
    const response = read?.response;
    if (response) guard('response attributes', () => setResponseAttributes(span, response), span);

    let usage = response?.usage;
    const succeeded = !failure && this.status > 0 && this.status < 400 && !response?.error && !read?.invalid;
    const error = classifyCallError(failure, this.status, response, read?.invalid);
    // Before any wait (the tokenizer): a gate may keep the answer before the app's next call.
    const onCompleted = this.onCompleted;
    if (onCompleted) guard('gate observer', () => onCompleted({ errorType: error?.type, usage, model: response?.model ?? this.request?.model ?? this.endpoint.urlModel }), span);
    if (succeeded && !this.replayedUsage && !hasTokenCounts(usage, this.endpoint.operation) && this.deps.config.estimateMissingUsage) {
      usage = await this.estimateUsage(response).catch((err) => {
        recordCaptureError('token estimate', err, span);
        return usage;
      });
    }
    if (usage && this.replayedUsage) guard('replayed usage', () => this.replayedUsage!(span, usage), span);
    else if (usage) setUsageAttributes(span, usage, this.deps.config.latestExperimentalSemconv);

    if (error) recordCallError(span, error);
    guard('resend count', () => this.countResend(failure !== undefined || isRetryableStatus(this.status), endedAt), span);
    const ttfc = this.isStream() && this.firstChunkAt !== undefined ? (this.firstChunkAt - this.startedAt) / 1000 : undefined;
    if (ttfc !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttfc);
    if (this.deps.config.captureMessageContent && response?.outputMessages?.length) {
      this.captureContent(ATTR_GEN_AI_OUTPUT_MESSAGES, response.outputMessages, 'output');
    }
    guard('metrics', () => {
      const attributes = metricAttributes(this.endpoint, this.request?.model ?? this.endpoint.urlModel, response?.model, error?.type);
      this.deps.metrics.record(attributes, (endedAt - this.startedAt) / 1000, this.replayedUsage ? undefined : usage, ttfc);
    }, span);
    // A performance.now() value: the SDK maps it onto the span's own clock (safe from wall-clock drift).
    span.end(endedAt);
  }

  /**
   * Whether the client aborted a stream whose last event it had already been given (openai v7
   * cancels the body at `[DONE]`; apps break out of their loop at `message_stop`), which the codec
   * tells (StreamAccumulator.isComplete). Compressed bytes still in the decompressor are decoded
   * first; the answer is synchronous otherwise, as a borrowed span's completion must be.
   */
  private abortedAfterLastEvent(transportError: unknown): boolean | Promise<boolean> {
    const accumulator = this.accumulator;
    if (transportError === undefined || !isAbortError(transportError) || !accumulator || this.observer?.mode === 'json') return false;
    if (accumulator.isComplete()) return true;
    let decoding: Promise<void> | undefined;
    try {
      decoding = this.observer?.flush();
    } catch (err) {
      recordCaptureError('response body decoding', err, this.span);
      return false;
    }
    if (!decoding) return accumulator.isComplete(); // decoded synchronously, if at all
    return decoding.then(
      () => accumulator.isComplete(),
      (err: unknown) => {
        recordCaptureError('response body decoding', err, this.span);
        return false;
      },
    );
  }

  /**
   * What the response says, or why a body the status calls an answer is none (`invalid`): empty,
   * cut short or not JSON, e.g. an HTML page. Stream bodies are read event by event and have no
   * such check: an SDK reading a stream skips what it does not understand.
   */
  private readResponse(interrupted: boolean): { response?: ResponseInfo; invalid?: string } {
    if (this.accumulator && (this.observer?.mode !== 'json' || interrupted)) return { response: this.accumulator.result() };
    const text = this.observer?.bodyText();
    if (interrupted || text === undefined) return {};
    if (text.trim() === '') return { invalid: 'the response body is empty' };
    const body = parseJson(text);
    if (body === undefined || body === null || typeof body !== 'object') {
      return { invalid: `the response body is not JSON (${this.contentType ?? 'no content-type'})` };
    }
    if (this.accumulator && Array.isArray(body)) {
      // Gemini's streamGenerateContent without alt=sse: a JSON array of response chunks.
      for (const item of body) this.accumulator.accept({ data: JSON.stringify(item) });
      return { response: this.accumulator.result() };
    }
    return { response: this.codec.parseResponse(body, this.endpoint) };
  }

  /**
   * Without the SDK's header: whether this request repeats an attempt that failed (the same body,
   * URL and parent), and, when it failed the way SDKs retry, remembers it for its own resend.
   */
  private countResend(retryable: boolean, endedAt: number): void {
    const text = this.requestText;
    this.requestText = undefined;
    if (this.attempt.resendCount !== undefined || text === undefined) return;
    const resends = this.deps.resends;
    const key = this.attempt.key;
    const resendCount = resends.resendCountOf(key, text, this.startedAt);
    if (resendCount > 0) this.span.setAttribute(ATTR_HTTP_REQUEST_RESEND_COUNT, resendCount);
    if (retryable) resends.recordFailure(key, text, resendCount, endedAt);
  }

  private async estimateUsage(response: ResponseInfo | undefined): Promise<Usage | undefined> {
    const model = response?.model ?? this.request?.model ?? this.endpoint.urlModel;
    const usage: Usage = { ...response?.usage };
    if (usage.inputTokens === undefined && this.request) usage.inputTokens = await countTokens(this.request.inputText, model);
    if (usage.outputTokens === undefined && response && this.endpoint.operation !== 'embeddings') {
      const output = this.skimmed ? this.skimmed.wholeResult().outputText : response.outputText;
      usage.outputTokens = await countTokens(output, model);
    }
    this.span.setAttribute(ATTR_TOKENTRACE_USAGE_ESTIMATED, true);
    return usage;
  }

  /** Whether the answer is a stream: an event stream, or a JSON stream the URL asked for (its body mode says, once the headers came). */
  private isStreamBody(): boolean {
    return this.bodyMode !== undefined && (this.bodyMode !== 'json' || Boolean(this.endpoint.urlStream));
  }

  /** A stream being decoded (its observer made). */
  private isStream(): boolean {
    return this.observer !== undefined && this.isStreamBody();
  }

  private captureContent(attribute: string, content: unknown, kind: ContentKind): void {
    if (content === undefined || (Array.isArray(content) && content.length === 0)) return;
    guard('content capture', () => {
      const { maxContentLength, redactContent } = this.deps.config;
      const serialized = serializeContent(content, kind, maxContentLength, redactContent);
      if (!serialized) return;
      this.span.setAttribute(attribute, serialized.json);
      if (serialized.truncated) this.span.setAttribute(ATTR_TOKENTRACE_CONTENT_TRUNCATED, true);
    }, this.span);
  }

  /** Last resort when completion itself failed: the span must still end. */
  private forceEnd(err: unknown, endedAt: number): void {
    recordCaptureError('completion', err, this.span);
    this.span.end(endedAt);
    guard('gate observer', () => this.onCompleted?.({ errorType: '_OTHER' }));
  }
}

/** The name of a span recognised by shape until it proves to be an LLM call: the HTTP conventions' `{method}`. */
const UNLABELLED_SPAN_NAME = 'POST';

/** `{operation} {model}`, the conventions' span name. */
export function spanName(operation: string, model: string | undefined): string {
  return model ? `${operation} ${model}` : operation;
}

function hasTokenCounts(usage: Usage | undefined, operation: string): boolean {
  if (!usage || usage.inputTokens === undefined) return false;
  return operation === 'embeddings' || usage.outputTokens !== undefined;
}
