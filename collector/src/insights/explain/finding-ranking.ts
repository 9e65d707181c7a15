/**
 * One cause shows in many series: a prompt whose input doubled moves its own input tokens per
 * request, its cost per request, its feature's and its model's. Candidates are grouped into
 * clusters (same sign, and: the same group, or steps within ±2 h of each other, or drifts and
 * levels; closed transitively), clusters ranked by the dollars of their largest member, and each cluster told by its most specific
 * member: among those carrying ≥ 50 % of the cluster's dollars, the largest relative move
 * (|ln ratio| within 15 % of the largest), then tokens before cost per request before requests
 * (the cause before the consequence), then dollars, then the dimension a team names things by
 * (prompt, custom property, model, user, service, environment) when two series hold the same calls.
 */
import type { Metric } from './explain-model.js';
import type { Candidate } from './series-findings.js';

export interface Cluster {
  lead: Candidate;
  related: Candidate[];
  /** Dollars of the cluster's largest member. */
  impactUsd: number;
}

const STEP_HOURS = 2;
const SHARE_OF_DOLLARS = 0.5;
const RATIO_CLOSE = 0.85;
const PRIORITY: Record<Metric, number> = { input_tokens_per_request: 0, output_tokens_per_request: 0, cost_per_request: 1, requests_per_hour: 2 };
/** Two series of the same calls (a feature served by one service): the name the team chose first. */
const DIMENSION_ORDER = ['prompt_id', 'property:', 'model', 'user', 'service', 'environment'];
const dimensionRank = (d: string) => DIMENSION_ORDER.findIndex((p) => d === p || (p.endsWith(':') && d.startsWith(p)));
/** Dollars within 2 % of each other are the same dollars (series of the same calls). */
const SAME_DOLLARS = 0.02;

function together(a: Candidate, b: Candidate): boolean {
  if (Math.sign(a.impactUsd) !== Math.sign(b.impactUsd)) return false;
  // One series' metrics move together (a prompt's output tokens and its cost per request).
  if (a.dimension === b.dimension && a.group === b.group) return true;
  if (a.kind === 'step' && b.kind === 'step') return Math.abs(a.atHour! - b.atHour!) <= STEP_HOURS;
  // Drifts and levels have no one hour to tell causes apart: one direction, one cluster (a
  // prompt's answers growing slowly also raise its feature's cost per request, by less).
  return a.kind !== 'step' && b.kind !== 'step';
}

const logRatio = (c: Candidate) => (c.ratio > 0 && Number.isFinite(c.ratio) ? Math.abs(Math.log(c.ratio)) : 0);

function byDollars(a: Candidate, b: Candidate): number {
  const x = Math.abs(a.impactUsd);
  const y = Math.abs(b.impactUsd);
  return Math.abs(x - y) <= SAME_DOLLARS * Math.max(x, y) ? 0 : y - x;
}

export function rankFindings(candidates: Candidate[], limit: number): Cluster[] {
  const rest = [...candidates].sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
  const clusters: Cluster[] = [];
  while (rest.length > 0 && clusters.length < limit) {
    const head = rest[0];
    // The cluster is closed under `together`: what moved with any member joins it.
    const members = [head];
    rest.splice(0, 1);
    for (let i = 0; i < members.length; i++) {
      for (let j = rest.length - 1; j >= 0; j--) {
        if (together(members[i], rest[j])) members.push(...rest.splice(j, 1));
      }
    }
    const eligible = members.filter((c) => Math.abs(c.impactUsd) >= SHARE_OF_DOLLARS * Math.abs(head.impactUsd));
    const largest = Math.max(...eligible.map(logRatio));
    const lead = eligible
      .filter((c) => logRatio(c) >= RATIO_CLOSE * largest)
      .sort((a, b) => PRIORITY[a.metric] - PRIORITY[b.metric] || byDollars(a, b) || dimensionRank(a.dimension) - dimensionRank(b.dimension))[0];
    clusters.push({ lead, related: members.filter((c) => c !== lead), impactUsd: head.impactUsd });
  }
  return clusters;
}
