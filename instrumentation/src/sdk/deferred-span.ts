/**
 * GenAI spans made with the SDK when they end (issue 12 part 5). Under tokentrace's own SDK, a
 * captured call's span is, while the app waits for its request to go out and for its answer, a
 * plain object: its ids (drawn at once, so the `traceparent` sent downstream names it), its
 * sampling decision (asked of the SDK's own sampler, at once, as the SDK would), and what is set on
 * it. At `end`, which a call's completion reaches in its batch (capture/pending-completions.ts),
 * the SDK starts the real span with those ids (ReservingIdGenerator), the call's start time and
 * everything set so far, replays its events and status in order, and ends it.
 *
 * Why: starting an SDK span (attribute checks, sampler, span processors, context) on the app's
 * path cost each call ~0.1 ms of latency and of time to first chunk in `npm run
 * bench:instrumentation`; in a batch it runs on warm caches.
 *
 * Only under the SDK tokentrace starts (register / startTokentrace): it alone lets the span get
 * the ids the call already sent. A sampler result that adds attributes or a trace state, a parent
 * context that suppresses tracing, or a decision not to record: the span is started at once.
 */
import {
  diag,
  isSpanContextValid,
  SamplingDecision,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { RandomIdGenerator, type IdGenerator, type Sampler } from '@opentelemetry/sdk-trace';

/** The SDK's id generator, which hands the next span started the ids a deferred span already has. */
export class ReservingIdGenerator implements IdGenerator {
  readonly random = new RandomIdGenerator();
  private traceId: string | undefined;
  private spanId: string | undefined;

  generateTraceId(): string {
    const id = this.traceId;
    if (id === undefined) return this.random.generateTraceId();
    this.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId;
    if (id === undefined) return this.random.generateSpanId();
    this.spanId = undefined;
    return id;
  }

  /** Ids for the span the caller starts next, synchronously (traceId: only for a root span). */
  reserve(traceId: string | undefined, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  clear(): void {
    this.traceId = undefined;
    this.spanId = undefined;
  }
}

export class DeferredSpans {
  private warned = false;

  constructor(
    private readonly ids: ReservingIdGenerator,
    private readonly sampler: Sampler,
  ) {}

  /** A span for `tracer.startSpan(name, { kind, attributes, startTime }, parent)`, made by the SDK at its end when it can be. */
  start(tracer: Tracer, name: string, kind: SpanKind, attributes: Attributes, parent: Context, startTime: number): Span {
    if (isTracingSuppressed(parent)) return tracer.startSpan(name, { kind, attributes, startTime }, parent);
    const parentContext = trace.getSpanContext(parent);
    const validParent = parentContext && isSpanContextValid(parentContext) ? parentContext : undefined;
    const traceId = validParent?.traceId ?? this.ids.random.generateTraceId();
    const result = this.sampler.shouldSample(parent, traceId, name, kind, attributes, []);
    if (result.decision === SamplingDecision.NOT_RECORD || result.attributes !== undefined || result.traceState !== undefined) {
      return tracer.startSpan(name, { kind, attributes, startTime }, parent);
    }
    const spanContext: SpanContext = {
      traceId,
      spanId: this.ids.random.generateSpanId(),
      traceFlags: result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: validParent?.traceState,
    };
    return new DeferredSpan(this, tracer, spanContext, validParent === undefined, name, kind, attributes, parent, startTime);
  }

  /** The SDK's span with the deferred span's ids. */
  startNow(deferred: DeferredStart): Span {
    const { spanIds } = deferred;
    this.ids.reserve(deferred.root ? spanIds.traceId : undefined, spanIds.spanId);
    let span: Span;
    try {
      // The attributes are set afterwards, not given to startSpan: the SDK checks a span's
      // attributes twice at its start, once when set. (The sampler's decision, which startSpan
      // asks again, was made with them in start(); the SDK's samplers do not read them.)
      span = deferred.tracer.startSpan(deferred.name, { kind: deferred.kind, startTime: deferred.startTime, links: deferred.links }, deferred.parent);
    } finally {
      this.ids.clear();
    }
    span.setAttributes(deferred.attributes);
    if (span.spanContext().spanId !== spanIds.spanId && !this.warned) {
      // Another tracer provider answered: the trace context the call sent names a span that is not exported.
      this.warned = true;
      diag.warn('tokentrace: a GenAI span did not get the ids its call sent downstream (the global tracer provider is not tokentrace\'s)');
    }
    return span;
  }
}

/** What the SDK's span is started from. */
interface DeferredStart {
  readonly tracer: Tracer;
  /** The ids and flags the call sent downstream. */
  readonly spanIds: SpanContext;
  readonly root: boolean;
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  readonly parent: Context;
  readonly startTime: number;
  readonly links: Link[] | undefined;
}

/** Done to the SDK's span once it exists, in the order the calls came. */
type Replayed = (span: Span) => void;

class DeferredSpan implements Span, DeferredStart {
  links: Link[] | undefined;
  private replayed: Replayed[] | undefined;
  private ended = false;

  constructor(
    private readonly spans: DeferredSpans,
    readonly tracer: Tracer,
    readonly spanIds: SpanContext,
    readonly root: boolean,
    public name: string,
    readonly kind: SpanKind,
    /** What is set so far; read like an SDK span's `attributes` (call-starter.ts). */
    readonly attributes: Attributes,
    readonly parent: Context,
    readonly startTime: number,
  ) {}

  spanContext(): SpanContext {
    return this.spanIds;
  }

  setAttribute(key: string, value: AttributeValue): this {
    // As the SDK's span: no change once ended, and an undefined value is no value.
    if (!this.ended && value !== undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    // The event's time is when it was added, not when the SDK's span is made.
    const at = startTime ?? (isTimeInput(attributesOrStartTime) ? attributesOrStartTime : performance.now());
    const attributes = isTimeInput(attributesOrStartTime) ? undefined : attributesOrStartTime;
    return this.later((span) => span.addEvent(name, attributes, at));
  }

  addLink(link: Link): this {
    if (!this.ended) (this.links ??= []).push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    return this.later((span) => span.setStatus(status));
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const at = time ?? performance.now();
    this.later((span) => span.recordException(exception, at));
  }

  isRecording(): boolean {
    return !this.ended;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    const at = endTime ?? performance.now();
    this.ended = true;
    const span = this.spans.startNow(this);
    if (this.replayed) for (const replay of this.replayed) replay(span);
    span.end(at);
  }

  private later(replay: Replayed): this {
    if (!this.ended) (this.replayed ??= []).push(replay);
    return this;
  }
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}
