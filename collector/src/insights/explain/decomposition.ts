/**
 * Splits Δcost = cost(period) − cost(baseline) of a dimension into drivers, per group, so that
 * the parts add up to Δcost exactly (up to floating-point rounding, ~1e-12 relative).
 *
 * The identity, per group g and cost kind k (uncached input, cached input, output, reasoning,
 * other):
 *
 *     C_gk = N · s_g · t_gk · p_gk
 *
 * N requests of the dimension (volume), s_g = n_g / N the group's share (mix), t_gk = T_gk / n_g
 * tokens of kind k per request, p_gk = C_gk / T_gk the price paid per token of kind k (a pricier
 * model, a price change). The change of each product is split among its four factors by the
 * Shapley value (the average of each factor's contribution over the 4! orders of changing them
 * from baseline to period), which sums exactly to C¹ − C⁰ and, unlike a sequential scheme, does
 * not depend on an order; it also handles zeros (a new or vanished group), where log-mean Divisia
 * (LMDI) is undefined. Undefined factors (a group or kind absent in one window) take the other
 * window's value, so the whole change lands on the factors that did change.
 *
 * Drivers: volume (N), mix (s), input_tokens, cached_tokens, output_tokens, reasoning_tokens
 * (t of each kind), price (p of every kind, and the per-request "other" cost). Reasoning tokens
 * are part of output tokens (semconv); their share of the output cost is split by token count.
 */
import { DRIVERS, type DriverUsd } from './explain-model.js';

export interface KindFigures {
  tokens: number;
  cost: number;
}

/** One group in one window: requests, and tokens and cost by kind. */
export interface CostCell {
  requests: number;
  input: KindFigures;
  cached: KindFigures;
  output: KindFigures;
  reasoning: KindFigures;
  /** Cost not carried by tokens (per-request fees, rounding): one "token" per request. */
  other: KindFigures;
}

const KINDS = ['input', 'cached', 'output', 'reasoning', 'other'] as const;
const TOKEN_DRIVER = { input: 'input_tokens', cached: 'cached_tokens', output: 'output_tokens', reasoning: 'reasoning_tokens', other: undefined } as const;

export function cellCost(cell: CostCell): number {
  return cell.input.cost + cell.cached.cost + cell.output.cost + cell.reasoning.cost + cell.other.cost;
}

export function zeroDrivers(): DriverUsd {
  return Object.fromEntries(DRIVERS.map((d) => [d, 0])) as DriverUsd;
}

/** Shapley shares of the change of x0·x1·x2·x3 from `a` (baseline) to `b` (period). */
export function shapley4(a: readonly number[], b: readonly number[]): number[] {
  const out = [0, 0, 0, 0];
  // Weights |S|! (n − |S| − 1)! / n! for n = 4 by the size of S (the factors already changed).
  const weight = [6 / 24, 2 / 24, 2 / 24, 6 / 24];
  for (let i = 0; i < 4; i++) {
    const others = [0, 1, 2, 3].filter((j) => j !== i);
    for (let mask = 0; mask < 8; mask++) {
      let product = b[i] - a[i];
      let size = 0;
      others.forEach((j, bit) => {
        if (mask & (1 << bit)) {
          product *= b[j];
          size++;
        } else product *= a[j];
      });
      out[i] += weight[size] * product;
    }
  }
  return out;
}

/**
 * The drivers of each group's change; groups in both maps or either. `baseline` and `period`
 * hold every group of the dimension (their requests sum to the dimension's N).
 */
export function decompose(baseline: Map<string, CostCell>, period: Map<string, CostCell>): Map<string, DriverUsd> {
  const total = (cells: Map<string, CostCell>) => [...cells.values()].reduce((sum, c) => sum + c.requests, 0);
  const n0 = total(baseline);
  const n1 = total(period);
  const out = new Map<string, DriverUsd>();
  for (const group of new Set([...baseline.keys(), ...period.keys()])) {
    const drivers = zeroDrivers();
    const c0 = baseline.get(group);
    const c1 = period.get(group);
    const r0 = c0?.requests ?? 0;
    const r1 = c1?.requests ?? 0;
    for (const kind of KINDS) {
      const k0 = c0?.[kind] ?? { tokens: 0, cost: 0 };
      const k1 = c1?.[kind] ?? { tokens: 0, cost: 0 };
      if (k0.cost === 0 && k1.cost === 0) continue;
      // "other" cost is per request: one unit per request.
      const tokens0 = kind === 'other' ? r0 : k0.tokens;
      const tokens1 = kind === 'other' ? r1 : k1.tokens;
      let t0 = r0 > 0 ? tokens0 / r0 : Number.NaN;
      let t1 = r1 > 0 ? tokens1 / r1 : Number.NaN;
      let p0 = tokens0 > 0 ? k0.cost / tokens0 : Number.NaN;
      let p1 = tokens1 > 0 ? k1.cost / tokens1 : Number.NaN;
      if (Number.isNaN(t0)) t0 = t1;
      if (Number.isNaN(t1)) t1 = t0;
      if (Number.isNaN(p0)) p0 = Number.isNaN(p1) ? 0 : p1;
      if (Number.isNaN(p1)) p1 = p0;
      const s0 = n0 > 0 ? r0 / n0 : 0;
      const s1 = n1 > 0 ? r1 / n1 : 0;
      const [volume, mix, tokens, price] = shapley4([n0, s0, t0, p0], [n1, s1, t1, p1]);
      // The product's change must be exactly the cost change: cost with tokens but no price (a
      // kind priced 0) or rounding in the factors goes to price, the last factor.
      const residual = k1.cost - k0.cost - (volume + mix + tokens + price);
      drivers.volume += volume;
      drivers.mix += mix;
      const tokenDriver = TOKEN_DRIVER[kind];
      if (tokenDriver) drivers[tokenDriver] += tokens;
      else drivers.price += tokens;
      drivers.price += price + residual;
    }
    out.set(group, drivers);
  }
  return out;
}
