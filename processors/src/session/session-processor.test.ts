import { describe, expect, it } from 'vitest';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';
import { NormalizeProcessor } from '../normalization/normalize-processor.js';
import { SessionProcessor } from './session-processor.js';

function span(attributes: Attributes): SpanRecord {
  return {
    projectId: 'default',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'chat',
    kind: 3,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resourceAttributes: {},
    scopeName: 'test',
    scopeVersion: '0',
    events: [],
  };
}

const processor = new SessionProcessor();

describe('SessionProcessor', () => {
  it('derives id, name, normalized path, parent path and depth', () => {
    const [s] = processor.process(new NormalizeProcessor().process([span({ 'tokentrace.session.id': 'sess-1', 'tokentrace.session.name': 'Research', 'tokentrace.session.path': 'analyze/extract/' })]));
    expect(s?.session).toEqual({ id: 'sess-1', name: 'Research', path: '/analyze/extract', parentPath: '/analyze', depth: 2 });
  });

  it('puts a session span without a path at the session root', () => {
    const [s] = processor.process([span({ 'gen_ai.conversation.id': 'conv-2' })]);
    expect(s?.session).toEqual({ id: 'conv-2', path: '/', parentPath: '', depth: 0 });
  });

  it('reads foreign session ids (OpenInference, OpenLLMetry, AI SDK)', () => {
    const ids = processor
      .process([span({ 'session.id': 'oi' }), span({ 'traceloop.association.properties.session_id': 'tl' }), span({ 'ai.telemetry.metadata.sessionId': 'ai' })])
      .map((s) => s.session?.id);
    expect(ids).toEqual(['oi', 'tl', 'ai']);
  });

  it('gives a span without a session id no session, even with a path', () => {
    const [s] = processor.process([span({ 'tokentrace.session.path': '/analyze' })]);
    expect(s?.session).toBeUndefined();
    expect(s && 'session' in s).toBe(false);
  });
});
