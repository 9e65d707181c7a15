/**
 * Session step paths (`tokentrace.session.path`, e.g. `/analyze/extract`) in one normal form, so
 * that steps written as `analyze/extract/` or `/analyze//extract` by different processes land in
 * one tree: a leading slash, no trailing slash, no empty segments; `/` is the session root.
 * The parent of `/analyze/extract` is `/analyze`, of `/analyze` is `/`, of `/` nothing ('').
 */

export const ROOT_PATH = '/';

export interface SessionStep {
  path: string;
  parentPath: string;
  /** Number of segments: 0 for `/`. */
  depth: number;
}

/**
 * Steps by raw path: an app writes the same few paths in span after span, and splitting and
 * joining one cost about 0.3 µs (bench:collector's profile). Emptied when full, so that paths that
 * never repeat do not grow it; its steps are frozen, being everyone's.
 */
const steps = new Map<string, Readonly<SessionStep>>();
const MAX_STEPS = 4096;

export function sessionStep(rawPath: string | undefined): Readonly<SessionStep> {
  if (rawPath === undefined) return ROOT_STEP;
  let step = steps.get(rawPath);
  if (step === undefined) {
    if (steps.size >= MAX_STEPS) steps.clear();
    step = Object.freeze(stepOf(rawPath));
    steps.set(rawPath, step);
  }
  return step;
}

const ROOT_STEP: Readonly<SessionStep> = Object.freeze({ path: ROOT_PATH, parentPath: '', depth: 0 });

function stepOf(rawPath: string): Readonly<SessionStep> {
  const segments = splitPath(rawPath);
  if (segments.length === 0) return ROOT_STEP;
  const path = ROOT_PATH + segments.join('/');
  const parentPath = segments.length === 1 ? ROOT_PATH : ROOT_PATH + segments.slice(0, -1).join('/');
  return { path, parentPath, depth: segments.length };
}

export function normalizeSessionPath(rawPath: string | undefined): string {
  return sessionStep(rawPath).path;
}

/** Segments are kept as written (case, inner spaces); only surrounding whitespace is dropped. */
function splitPath(rawPath: string): string[] {
  const segments: string[] = [];
  for (const part of rawPath.split('/')) {
    const segment = part.trim();
    if (segment !== '') segments.push(segment);
  }
  return segments;
}
