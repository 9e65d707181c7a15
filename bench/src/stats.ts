/** Order statistics for benchmark samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (samples: readonly number[]) => quantile(samples, 0.5);
export const p99 = (samples: readonly number[]) => quantile(samples, 0.99);

export function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}
