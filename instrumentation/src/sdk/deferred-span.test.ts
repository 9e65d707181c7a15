import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { DeferredSpans, ReservingIdGenerator } from './deferred-span.js';

function setUp(sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() })) {
  const exporter = new InMemorySpanExporter();
  const ids = new ReservingIdGenerator();
  const provider = new TracerProvider({ sampler, idGenerator: ids, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const spans = new DeferredSpans(ids, sampler);
  return { exporter, tracer, spans };
}

function remoteParent(sampled: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

describe('DeferredSpans', () => {
  it('makes the SDK span at its end, with the ids, start time, name, attributes, events and status it was given before', () => {
    const { exporter, tracer, spans } = setUp();
    const startedAt = performance.now();
    const span = spans.start(tracer, 'chat', SpanKind.CLIENT, { 'gen_ai.operation.name': 'chat' }, ROOT_CONTEXT, startedAt);
    const sent = span.spanContext();
    expect(sent.traceFlags).toBe(TraceFlags.SAMPLED);
    expect(span.isRecording()).toBe(true);
    expect(exporter.getFinishedSpans()).toHaveLength(0);

    span.setAttribute('gen_ai.request.model', 'gpt-4o');
    span.setAttributes({ 'server.port': 443, 'not.a.value': undefined });
    span.setAttribute('gen_ai.request.model', undefined as unknown as string); // no value: the model stays
    span.updateName('chat gpt-4o');
    span.recordException(new Error('boom'));
    span.addEvent('second', { n: 2 });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    const endedAt = performance.now();
    span.end(endedAt);
    span.setAttribute('after.end', true);
    span.end();

    const [made] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(made.spanContext().traceId).toBe(sent.traceId);
    expect(made.spanContext().spanId).toBe(sent.spanId);
    expect(made.parentSpanContext).toBeUndefined();
    expect(made.name).toBe('chat gpt-4o');
    expect(made.kind).toBe(SpanKind.CLIENT);
    expect(made.attributes).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'server.port': 443 });
    expect(made.events.map((e) => e.name)).toEqual(['exception', 'second']);
    expect(made.status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed' });
    const toMs = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    // The SDK maps performance.now() values onto the wall clock: the duration is the call's.
    expect(toMs(made.endTime) - toMs(made.startTime)).toBeCloseTo(endedAt - startedAt, 1);
    expect(Math.abs(toMs(made.startTime) - (performance.timeOrigin + startedAt))).toBeLessThan(5);
  });

  it('a child of a sampled parent: its trace, its parent, and spans started later get ids of their own', () => {
    const { exporter, tracer, spans } = setUp();
    const parent = remoteParent(true);
    const span = spans.start(tracer, 'chat', SpanKind.CLIENT, {}, parent, performance.now());
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    span.end();
    tracer.startSpan('other', {}, parent).end();
    const [made, other] = exporter.getFinishedSpans();
    expect(made.spanContext().spanId).toBe(span.spanContext().spanId);
    expect(made.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(other.spanContext().spanId).not.toBe(made.spanContext().spanId);
  });

  it('a parent not sampled, or tracing suppressed: the SDK decides at once, nothing is recorded', () => {
    const { exporter, tracer, spans } = setUp();
    const unsampled = spans.start(tracer, 'chat', SpanKind.CLIENT, {}, remoteParent(false), performance.now());
    expect(unsampled.isRecording()).toBe(false);
    expect(unsampled.spanContext().traceFlags).toBe(TraceFlags.NONE);
    const suppressed = spans.start(tracer, 'chat', SpanKind.CLIENT, {}, suppressTracing(context.active()), performance.now());
    expect(suppressed.isRecording()).toBe(false);
    unsampled.end();
    suppressed.end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('a ratio sampler: the flag sent downstream is the SDK\'s decision for the span', () => {
    const { exporter, tracer, spans } = setUp(new TraceIdRatioBasedSampler(0.5));
    const made = Array.from({ length: 200 }, () => spans.start(tracer, 'chat', SpanKind.CLIENT, {}, ROOT_CONTEXT, performance.now()));
    const sampled = made.filter((s) => s.spanContext().traceFlags === TraceFlags.SAMPLED);
    expect(sampled.length).toBeGreaterThan(0);
    expect(sampled.length).toBeLessThan(made.length);
    for (const s of made) s.end();
    expect(exporter.getFinishedSpans().map((s) => s.spanContext().spanId).sort()).toEqual(sampled.map((s) => s.spanContext().spanId).sort());
  });
});
