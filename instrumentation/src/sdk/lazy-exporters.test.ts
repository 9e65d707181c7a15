import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { LazyMetricExporter } from './lazy-exporters.js';

const ENV = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';
const { DELTA, CUMULATIVE } = AggregationTemporality;
const ALL = [
  InstrumentType.COUNTER, InstrumentType.OBSERVABLE_COUNTER, InstrumentType.GAUGE, InstrumentType.HISTOGRAM,
  InstrumentType.OBSERVABLE_GAUGE, InstrumentType.UP_DOWN_COUNTER, InstrumentType.OBSERVABLE_UP_DOWN_COUNTER,
];
const temporalities = () => {
  const exporter = new LazyMetricExporter(() => Promise.reject(new Error('not loaded in this test')));
  return ALL.map((type) => exporter.selectAggregationTemporality(type));
};

describe('LazyMetricExporter temporality, decided before the OTLP exporter is loaded, as it would decide', () => {
  afterEach(() => {
    delete process.env[ENV];
  });

  it('cumulative by default', () => {
    expect(temporalities()).toEqual(ALL.map(() => CUMULATIVE));
  });

  it('delta: delta but for the up-down counters', () => {
    process.env[ENV] = 'Delta';
    expect(temporalities()).toEqual([DELTA, DELTA, DELTA, DELTA, DELTA, CUMULATIVE, CUMULATIVE]);
  });

  it('lowmemory: delta for synchronous counters and histograms only', () => {
    process.env[ENV] = 'lowmemory';
    expect(temporalities()).toEqual([DELTA, CUMULATIVE, CUMULATIVE, DELTA, CUMULATIVE, CUMULATIVE, CUMULATIVE]);
  });
});
