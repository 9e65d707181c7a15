// The traffic generator: deterministic from its seed, the volume and shape asked for, planted
// events visible in the spans as their truth says, none in stable traffic.
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '@tokentrace/processors';
import { DAY_MS, TrafficGenerator } from './index.js';

const calls = (spans: SpanRecord[]) => spans.filter((s) => s.genAi?.isModelCall);
const startMs = (s: SpanRecord) => Number(s.startTimeUnixNano / 1_000_000n);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('TrafficGenerator', () => {
  it('is deterministic from its seed', () => {
    const a = new TrafficGenerator({ seed: 7, days: 2, requestsPerHour: 50 }).all();
    const b = new TrafficGenerator({ seed: 7, days: 2, requestsPerHour: 50 }).all();
    const c = new TrafficGenerator({ seed: 8, days: 2, requestsPerHour: 50 }).all();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('generates the volume asked for, a model call under each agent span, with daily and weekly cycles', () => {
    const traffic = new TrafficGenerator({ days: 14, requestsPerHour: 100, events: false });
    const spans = traffic.all();
    const modelCalls = calls(spans);
    expect(spans.length).toBe(2 * modelCalls.length);
    expect(modelCalls.length / (14 * 24)).toBeGreaterThan(95);
    expect(modelCalls.length / (14 * 24)).toBeLessThan(105);
    expect(traffic.events).toEqual([]);
    const byHour = new Map<number, number>();
    for (const s of modelCalls) byHour.set(new Date(startMs(s)).getUTCHours(), (byHour.get(new Date(startMs(s)).getUTCHours()) ?? 0) + 1);
    expect(byHour.get(15)! / byHour.get(3)!).toBeGreaterThan(2.5);
    const weekday = modelCalls.filter((s) => new Date(startMs(s)).getUTCDay() === 3).length;
    const sunday = modelCalls.filter((s) => new Date(startMs(s)).getUTCDay() === 0).length;
    expect(sunday / weekday).toBeGreaterThan(0.4);
    expect(sunday / weekday).toBeLessThan(0.6);
    expect(traffic.costUsd).toBeCloseTo(modelCalls.reduce((sum, s) => sum + (s.cost?.totalUsd ?? 0), 0), 6);
  });

  it('plants each event as its truth says', () => {
    const traffic = new TrafficGenerator({ days: 35, requestsPerHour: 60 });
    const spans = calls(traffic.all());
    expect(traffic.events.map((e) => e.kind)).toEqual(['prompt-input-doubling', 'user-surge', 'model-switch', 'output-drift']);
    for (const event of traffic.events) {
      const inRange = (s: SpanRecord, r: { fromMs: number; toMs: number }) => startMs(s) >= r.fromMs && startMs(s) < r.toMs;
      const before = spans.filter((s) => inRange(s, event.baseline) && !s.genAi!.errorType);
      const after = spans.filter((s) => inRange(s, event.period) && !s.genAi!.errorType);
      let ratio: number;
      if (event.kind === 'user-surge') {
        ratio = after.filter((s) => s.genAi!.userId === event.group).length / before.filter((s) => s.genAi!.userId === event.group).length;
      } else if (event.kind === 'model-switch') {
        const cpr = (xs: SpanRecord[]) => mean(xs.filter((s) => s.genAi!.properties.feature === event.group).map((s) => s.cost!.totalUsd!));
        ratio = cpr(after) / cpr(before);
      } else {
        const field = event.kind === 'output-drift' ? 'outputTokens' : 'inputTokens';
        const tokens = (xs: SpanRecord[]) => mean(xs.filter((s) => s.genAi!.promptId === event.group).map((s) => s.genAi![field]!));
        ratio = tokens(after) / tokens(before);
      }
      expect(ratio / event.expectedRatio, event.kind).toBeGreaterThan(0.85);
      expect(ratio / event.expectedRatio, event.kind).toBeLessThan(1.15);
      expect(event.period.fromMs - event.baseline.fromMs).toBe(7 * DAY_MS);
    }
  });
});
