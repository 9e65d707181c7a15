/**
 * The request gates an instrumentation runs, in order, built from its resolved configuration.
 * Each factory returns its gate, or undefined when the configuration leaves nothing for it to do
 * (a gate that headers can turn on per call is always there; its `wants` keeps it cheap).
 */
import type { ResolvedConfig } from '../config.js';
import { GateChain } from './gate-chain.js';
import type { RequestGate } from './request-gate.js';

export type GateFactory = (config: ResolvedConfig) => RequestGate | undefined;

/** In the order the gates decide. */
const FACTORIES: GateFactory[] = [];

export function createGateChain(config: ResolvedConfig): GateChain | undefined {
  const gates = FACTORIES.map((create) => create(config)).filter((g): g is RequestGate => g !== undefined);
  return gates.length > 0 ? new GateChain(gates) : undefined;
}
